#include "router/routes.h"

#include <gtest/gtest.h>

namespace postern::router {
namespace {

std::vector<config::Route> table() {
  return {
      {{"martdj.nl"}, "mailstore"},
      {{"*.internal.example", "legacy.example."}, "inside"},
      {{"*"}, "internet"},
  };
}

TEST(RouteDomain, FirstMatchWins) {
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
  for (const auto& c : cases) EXPECT_EQ(route_domain(table(), c.domain), c.want) << c.domain;
}

TEST(RouteDomain, NoMatchWithoutCatchAll) {
  const std::vector<config::Route> routes{{{"martdj.nl"}, "mailstore"}};
  EXPECT_EQ(route_domain(routes, "example.org"), std::nullopt);
  EXPECT_EQ(route_domain(routes, ""), std::nullopt);
  EXPECT_EQ(route_domain({}, "martdj.nl"), std::nullopt);
}

TEST(DomainMatches, Table) {
  EXPECT_TRUE(domain_matches("*", "anything"));
  EXPECT_TRUE(domain_matches("*", ""));
  EXPECT_FALSE(domain_matches("example.org", ""));
  EXPECT_FALSE(domain_matches("*.example.org", ".example.org"));
  EXPECT_FALSE(domain_matches("*.example.org", "example.org"));
  EXPECT_TRUE(domain_matches("*.Example.Org", "mx.example.org"));
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
