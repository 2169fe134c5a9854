// Route matching: which router.routes entry a recipient domain takes. Part of the Route
// contract in config.h; the router (router/routes.h) and config validation both use it, so a
// route that validation accepts is the route the router takes.
//
// Contract: pure. Routes are tried in order and the first matching pattern wins. Patterns and
// domains compare ASCII case-insensitively and a trailing dot is ignored on both sides:
//   "*"             every domain
//   "example.org"   exactly example.org
//   "*.example.org" any subdomain of example.org (a.example.org, a.b.example.org), NOT
//                   example.org itself (list both to get both, as Postfix's transport maps do)
// An empty domain (a recipient without "@domain") matches only "*".
#pragma once

#include <string_view>
#include <vector>

#include "common/config/config.h"

namespace postern::config {

// True when `domain` matches one pattern (rules above; either side may be in any case).
bool route_matches(std::string_view pattern, std::string_view domain);

// The first route with a pattern matching `domain`, or nullptr when none does. The pointer is
// into `routes`.
const Route* find_route(const std::vector<Route>& routes, std::string_view domain);

}  // namespace postern::config
