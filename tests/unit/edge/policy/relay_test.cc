// Relay controls as a table (policy/relay.h): the open-relay battery never relays
// unauthenticated, whatever the allow lists say; allow/deny lists and enforcement scope.
#include "edge/policy/relay.h"

#include <gtest/gtest.h>

#include "common/smtp/codec/address.h"

namespace postern::edge::policy {
namespace {

using smtp::codec::Mailbox;

const std::vector<std::string> kLocal{"example.org"};

Mailbox path(const std::string& text) {
  auto r = smtp::codec::parse_path(text, smtp::codec::PathKind::forward, false);
  EXPECT_TRUE(r.ok()) << text;
  return r.mailbox;
}

CheckResult::Kind judge(const config::InboundRelay& relay, const std::string& rcpt,
                        RelayClient client = {"203.0.113.9", "", false, false}) {
  return check_relay(relay, kLocal, path(rcpt), client).kind;
}

constexpr auto permit = CheckResult::Kind::permit;
constexpr auto reject = CheckResult::Kind::reject;

TEST(RelayControls, OpenRelayBatteryNeverRelaysUnauthenticated) {
  config::InboundRelay generous;
  generous.allow_domains = {"*"};
  generous.allow_hosts.networks = {*config::parse_cidr("0.0.0.0/0").cidr};
  for (const char* trick :
       {"<user%remote.example@example.org>", "<\"user@remote.example\"@example.org>",
        "<@example.org:user@remote.example>", "<remote.example!user@example.org>",
        "<user@[203.0.113.5]>", "<\"user%remote.example\"@example.org>",
        "<\"user\\@remote.example\"@example.org>", "<user@remote.example>"}) {
    EXPECT_EQ(judge(config::InboundRelay{}, trick), reject) << trick;
    const Mailbox m = path(trick);
    const bool routed_away = !relay_trick(m).empty() || m.domain != "example.org";
    EXPECT_TRUE(routed_away) << trick;
    if (!relay_trick(m).empty()) {
      EXPECT_EQ(judge(generous, trick), reject) << trick;
    }
  }
  const CheckResult r = check_relay(config::InboundRelay{}, kLocal, path("<u@remote.example>"),
                                    {"203.0.113.9", "", false, false});
  ASSERT_TRUE(r.reply);
  EXPECT_EQ(r.reply->to_string(), "554 5.7.1 Relay access denied");
}

TEST(RelayControls, LocalRecipientsInAnyCaseAndWithTrailingDot) {
  EXPECT_EQ(judge({}, "<user@EXAMPLE.ORG>"), permit);
  EXPECT_EQ(judge({}, "<user@example.org.>"), permit);
  EXPECT_EQ(judge({}, "<user@sub.example.org>"), reject);
}

TEST(RelayControls, AuthenticatedUsersRelayEvenTricks) {
  const RelayClient authed{"203.0.113.9", "", true, false};
  EXPECT_EQ(judge({}, "<user%remote.example@example.org>", authed), permit);
  EXPECT_EQ(judge({}, "<user@remote.example>", authed), permit);
  config::InboundRelay no_auth_relay;
  no_auth_relay.authenticated_may_relay = false;
  EXPECT_EQ(judge(no_auth_relay, "<user@remote.example>", authed), reject);
}

TEST(RelayControls, AllowAndDenyLists) {
  config::InboundRelay r;
  r.allow_domains = {"partner.example", "*.friends.example"};
  r.deny_domains = {"bad.partner.example"};
  EXPECT_EQ(judge(r, "<u@partner.example>"), permit);
  EXPECT_EQ(judge(r, "<u@a.friends.example>"), permit);
  EXPECT_EQ(judge(r, "<u@friends.example>"), reject);
  EXPECT_EQ(judge(r, "<u@other.example>"), reject);
  r.allow_domains = {"*"};
  EXPECT_EQ(judge(r, "<u@other.example>"), permit);
  EXPECT_EQ(judge(r, "<u@bad.partner.example>"), reject);

  config::InboundRelay hosts;
  hosts.allow_hosts.networks = {*config::parse_cidr("198.51.100.0/24").cidr};
  hosts.allow_hosts.names = {"*.relay.example"};
  hosts.deny_hosts.names = {"evil.relay.example"};
  EXPECT_EQ(judge(hosts, "<u@other.example>", {"198.51.100.7", "", false, false}), permit);
  EXPECT_EQ(judge(hosts, "<u@other.example>", {"203.0.113.9", "a.relay.example", false, false}), permit);
  EXPECT_EQ(judge(hosts, "<u@other.example>", {"203.0.113.9", "evil.relay.example", false, false}), reject);
  EXPECT_EQ(judge(hosts, "<u@other.example>", {"203.0.113.9", "", false, false}), reject);
}

TEST(RelayControls, EnforcementScopeAndExclusions) {
  const RelayClient trusted{"10.0.0.1", "", false, true};
  config::InboundRelay all;
  EXPECT_EQ(judge(all, "<u@other.example>", trusted), reject);
  config::InboundRelay external;
  external.enforce = config::RelayEnforce::external;
  EXPECT_EQ(judge(external, "<u@other.example>", trusted), permit);
  EXPECT_EQ(judge(external, "<u@other.example>"), reject);
  config::InboundRelay excluded;
  excluded.exclude_hosts.networks = {*config::parse_cidr("203.0.113.0/24").cidr};
  EXPECT_EQ(judge(excluded, "<u@other.example>"), permit);
}

}  // namespace
}  // namespace postern::edge::policy
