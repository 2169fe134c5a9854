// Recipient routing: which destination a recipient domain goes to.
//
// Contract: pure. Routes are tried in order and the first matching pattern wins. Patterns and
// domains compare ASCII case-insensitively and a trailing dot is ignored on both sides:
//   "*"            every domain
//   "example.org"  exactly example.org
//   "*.example.org" any subdomain of example.org (a.example.org, a.b.example.org), NOT
//                  example.org itself (list both to get both, as Postfix's transport maps do)
// An empty domain (a recipient without "@domain") matches only "*".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"

namespace postern::router {

// The destination name for `domain`, or nullopt when no route matches.
std::optional<std::string> route_domain(const std::vector<config::Route>& routes,
                                        std::string_view domain);

// The domain part of an address: after the last '@', lower-cased, trailing dot removed.
// "" when there is no '@'. (The last '@' because a quoted local part may contain '@'.)
std::string domain_of(std::string_view address);

// True when `domain` matches one pattern (same rules as above; both already lower-case or not).
bool domain_matches(std::string_view pattern, std::string_view domain);

}  // namespace postern::router
