#include "router/routes.h"

#include <gtest/gtest.h>

namespace postern::router {
namespace {

// The matching rules are config's and tested with it (tests/unit/common/config/
// route_match_test.cc); here only what route_domain adds: the destination's name.
TEST(RouteDomain, NamesTheFirstMatchingDestination) {
  const std::vector<config::Route> routes{
      {{"martdj.nl"}, "mailstore"},
      {{"*"}, "internet"},
  };
  EXPECT_EQ(route_domain(routes, "MartDJ.nl."), "mailstore");
  EXPECT_EQ(route_domain(routes, "gmail.com"), "internet");
  EXPECT_EQ(route_domain({routes[0]}, "gmail.com"), std::nullopt);
}

TEST(DomainOf, Table) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"user@Example.ORG", "example.org"},
      {"user@example.org.", "example.org"},
      {"\"a@b\"@example.org", "example.org"},  // quoted local part with '@'
      {"postmaster", ""},
      {"user@", ""},
  };
  for (const auto& [address, domain] : cases) EXPECT_EQ(domain_of(address), domain) << address;
}

}  // namespace
}  // namespace postern::router
