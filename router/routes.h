// Recipient routing: which destination a recipient domain goes to.
//
// Contract: pure. Matching (first route, first pattern wins; case and trailing dots ignored;
// "*" and "*.example.org" wildcards) is config's, in common/config/route_match.h, so the router
// takes exactly the routes that config validation checked.
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

}  // namespace postern::router
