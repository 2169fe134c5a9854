// Route matching (common/config/route_match.h): the one table for the rules the router and
// config validation share.
#include "common/config/route_match.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::config {
namespace {

std::vector<Route> table() {
  return {
      {{"martdj.nl"}, "mailstore"},
      {{"*.internal.example", "legacy.example."}, "inside"},
      {{"*"}, "internet"},
  };
}

std::optional<std::string> destination(const std::vector<Route>& routes,
                                       std::string_view domain) {
  const Route* route = find_route(routes, domain);
  if (route == nullptr) return std::nullopt;
  return route->to;
}

TEST(FindRoute, FirstMatchWins) {
  struct Case {
    std::string_view domain;
    std::optional<std::string> want;
  };
  const Case cases[] = {
      {"martdj.nl", "mailstore"},
      {"MARTDJ.NL", "mailstore"},          // case-insensitive
      {"martdj.nl.", "mailstore"},         // trailing dot on the domain
      {"sub.martdj.nl", "internet"},       // exact does not cover subdomains
      {"a.internal.example", "inside"},    // *.domain: subdomain
      {"a.b.internal.example", "inside"},  // ... at any depth
      {"internal.example", "internet"},    // ... but not the domain itself
      {"xinternal.example", "internet"},   // label boundary respected
      {"legacy.example", "inside"},        // trailing dot on the pattern
      {"Legacy.Example.", "inside"},
      {"gmail.com", "internet"},
      {"", "internet"},                    // no domain: only "*"
  };
  for (const auto& c : cases) EXPECT_EQ(destination(table(), c.domain), c.want) << c.domain;
}

TEST(FindRoute, PointsIntoTheTable) {
  const std::vector<Route> routes = table();
  EXPECT_EQ(find_route(routes, "martdj.nl"), &routes[0]);
  EXPECT_EQ(find_route(routes, "legacy.example"), &routes[1]);
  EXPECT_EQ(find_route(routes, "gmail.com"), &routes[2]);
}

TEST(FindRoute, NoMatchWithoutCatchAll) {
  const std::vector<Route> routes{{{"martdj.nl"}, "mailstore"}};
  EXPECT_EQ(find_route(routes, "example.org"), nullptr);
  EXPECT_EQ(find_route(routes, ""), nullptr);
  EXPECT_EQ(find_route({}, "martdj.nl"), nullptr);
}

TEST(RouteMatches, Table) {
  struct Case {
    std::string_view pattern, domain;
    bool want;
  };
  const Case cases[] = {
      {"*", "anything", true},
      {"*", "", true},
      {"*", "example.org.", true},
      {"example.org", "", false},
      {"example.org", "example.org", true},
      {"example.org", "EXAMPLE.org.", true},
      {"example.org.", "example.org", true},
      {"example.org", "mx.example.org", false},
      {"example.org", "example.org.uk", false},
      {"*.example.org", ".example.org", false},
      {"*.example.org", "example.org", false},
      {"*.example.org", "xexample.org", false},
      {"*.Example.Org", "mx.example.org", true},
      {"*.example.org", "a.b.example.org.", true},
  };
  for (const auto& c : cases)
    EXPECT_EQ(route_matches(c.pattern, c.domain), c.want) << c.pattern << " ~ " << c.domain;
}

}  // namespace
}  // namespace postern::config
