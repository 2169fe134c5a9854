// The other pure checks of edge/policy/: connection controls and DNSBL at connect, HELO
// facts, sender domain and rate limits, recipients against the directory, greylisting.
#include <gtest/gtest.h>

#include "edge/policy/client.h"
#include "edge/policy/greylist.h"
#include "edge/policy/helo.h"
#include "edge/policy/recipients.h"
#include "edge/policy/sender.h"

namespace postern::edge::policy {
namespace {

using smtp::codec::Mailbox;

config::Cidr cidr(const char* text) { return *config::parse_cidr(text).cidr; }

ZoneAnswer listed(std::string zone, std::string codes = "127.0.0.2") {
  return ZoneAnswer{std::move(zone), ZoneAnswer::Outcome::listed, std::move(codes), ""};
}

std::string names(const Facts& facts) { return describe(facts); }

TEST(ClientCheck, SessionLimitsComeFirst) {
  config::Inbound in;
  ClientLookup l;
  l.too_many_sessions = true;
  ClientVerdict v = check_client(in, "192.0.2.1", l);
  ASSERT_TRUE(v.result.rejected());
  EXPECT_TRUE(v.at_connect);
  EXPECT_EQ(v.result.reply->to_string().substr(0, 9), "421 4.7.0");
  EXPECT_TRUE(v.result.reply->disconnect());
  l = {};
  l.rate_exceeded = true;
  v = check_client(in, "192.0.2.1", l);
  EXPECT_EQ(v.result.reply->to_string().substr(0, 9), "421 4.7.0");
}

TEST(ClientCheck, AllowAndDenyHostsByAddressAndVerifiedName) {
  config::Inbound in;
  in.connection.deny_hosts.networks = {cidr("192.0.2.0/24")};
  in.connection.deny_hosts.names = {"*.dynamic.example"};
  in.connection.allow_hosts.networks = {cidr("192.0.2.99")};
  ClientLookup l;
  ClientVerdict v = check_client(in, "192.0.2.1", l);
  ASSERT_TRUE(v.result.rejected());
  EXPECT_EQ(v.result.reply->to_string(), "554 5.7.1 Connection refused for 192.0.2.1");
  EXPECT_EQ(check_client(in, "192.0.2.99", l).result.kind, CheckResult::Kind::permit);
  l.ptr = Ptr{Ptr::Status::confirmed, "host1.dynamic.example"};
  EXPECT_TRUE(check_client(in, "198.51.100.1", l).result.rejected());
  // An unconfirmed PTR claims nothing.
  l.ptr = Ptr{Ptr::Status::unconfirmed, ""};
  EXPECT_FALSE(check_client(in, "198.51.100.1", l).result.rejected());
}

TEST(ClientCheck, PtrFactsAndVerifyHostname) {
  config::Inbound in;
  ClientLookup l;
  l.ptr.status = Ptr::Status::none;
  EXPECT_EQ(names(check_client(in, "192.0.2.1", l).result.facts), "no_ptr=+1.5");
  l.ptr.status = Ptr::Status::unconfirmed;
  EXPECT_EQ(names(check_client(in, "192.0.2.1", l).result.facts), "ptr_not_confirmed=+1");
  in.connection.verify_hostname = true;
  ClientVerdict v = check_client(in, "192.0.2.1", l);
  ASSERT_TRUE(v.result.rejected());
  EXPECT_EQ(v.result.reply->to_string().substr(0, 10), "554 5.7.25");
  l.ptr.status = Ptr::Status::temperror;
  EXPECT_EQ(check_client(in, "192.0.2.1", l).result.reply->to_string().substr(0, 10), "421 4.7.25");
  l.ptr = Ptr{Ptr::Status::confirmed, "mx.sender.example"};
  v = check_client(in, "192.0.2.1", l);
  EXPECT_FALSE(v.result.rejected());
  EXPECT_EQ(v.verified_name, "mx.sender.example");
}

TEST(ClientCheck, DnsblActionsAndWeights) {
  config::Inbound in;
  config::DnsblZone rej{"bl.example", {}, config::DnsblAction::reject, 4, ""};
  config::DnsblZone tag{"tag.example", {}, config::DnsblAction::tag, 2, ""};
  config::DnsblZone log{"log.example", {}, config::DnsblAction::log, 9, ""};
  in.dnsbl.zones = {rej, tag, log};
  in.dnsbl.reply = "Blocked: %s listed at %s";
  ClientLookup l;
  l.zones = {listed("bl.example"), listed("tag.example"), listed("log.example")};
  ClientVerdict v = check_client(in, "192.0.2.1", l);
  ASSERT_TRUE(v.result.rejected());
  EXPECT_FALSE(v.at_connect);  // answered to MAIL FROM
  EXPECT_EQ(v.result.reply->to_string(), "550 5.7.1 Blocked: 192.0.2.1 listed at bl.example");
  EXPECT_TRUE(v.tag);
  EXPECT_EQ(names(v.result.facts), "dnsbl:bl.example=+4 dnsbl:tag.example=+2 dnsbl:log.example=+0");
  // A zone's own reply wins; errors fail open.
  in.dnsbl.zones[0].reply = "See https://bl.example/%s (%s)";
  l.zones[1].outcome = ZoneAnswer::Outcome::error;
  v = check_client(in, "192.0.2.1", l);
  EXPECT_EQ(v.result.reply->to_string(), "550 5.7.1 See https://bl.example/192.0.2.1 (bl.example)");
  EXPECT_EQ(v.log.size(), 1u);
}

TEST(ClientCheck, DnswlSkipsBlacklists) {
  config::Inbound in;
  in.dnsbl.zones = {config::DnsblZone{"bl.example", {}, config::DnsblAction::reject, 5, ""}};
  in.dnsbl.allow_zones = {config::DnsblZone{"wl.example", {}, config::DnsblAction::tag, -3, ""}};
  ClientLookup l;
  l.zones = {listed("bl.example")};
  l.allow_zones = {listed("wl.example")};
  ClientVerdict v = check_client(in, "192.0.2.1", l);
  EXPECT_FALSE(v.result.rejected());
  EXPECT_EQ(names(v.result.facts), "dnswl:wl.example=-3");
  in.dnsbl.allow_skips_zones = false;
  v = check_client(in, "192.0.2.1", l);
  EXPECT_TRUE(v.result.rejected());
  EXPECT_EQ(names(v.result.facts), "dnswl:wl.example=-3 dnsbl:bl.example=+5");
}

TEST(ClientCheck, EarlyTalker) {
  config::Inbound in;
  ClientLookup l;
  l.early_talker = true;
  EXPECT_EQ(names(check_client(in, "192.0.2.1", l).result.facts), "early_talker=+3");
  in.pregreet.reject_early_talkers = true;
  ClientVerdict v = check_client(in, "192.0.2.1", l);
  ASSERT_TRUE(v.result.rejected());
  EXPECT_TRUE(v.at_connect);
  EXPECT_EQ(v.result.reply->to_string().substr(0, 9), "554 5.5.1");
}

TEST(HeloFacts, Table) {
  const config::InboundScore s;
  const std::vector<std::string> local{"example.org"};
  const auto facts = [&](const char* helo, const char* verified = "") {
    return names(helo_facts(s, helo, HeloContext{"192.0.2.1", verified, "mx.example.org", &local}));
  };
  EXPECT_EQ(facts("mail.sender.example"), "");
  EXPECT_EQ(facts("localhost"), "helo_not_fqdn=+1");
  EXPECT_EQ(facts("[192.0.2.1]"), "helo_not_fqdn=+1");
  EXPECT_EQ(facts("[192.0.2.2]"), "helo_not_fqdn=+1 helo_mismatch=+0.5");
  EXPECT_EQ(facts("mx.example.org"), "helo_mismatch=+0.5");
  EXPECT_EQ(facts("EXAMPLE.ORG."), "helo_mismatch=+0.5");
  EXPECT_EQ(facts("mail.sender.example", "mail.sender.example"), "");
  EXPECT_EQ(facts("other.example", "mail.sender.example"), "helo_mismatch=+0.5");
}

TEST(SenderCheck, DomainAndRates) {
  config::Inbound in;
  const Mailbox from{"a", "nowhere.example"};
  SenderLookup l;
  l.domain.status = SenderDomain::Status::missing;
  CheckResult r = check_sender(in, from, l);
  EXPECT_FALSE(r.rejected());
  EXPECT_EQ(names(r.facts), "sender_domain_missing=+3");
  in.sender.verify_domain = true;
  r = check_sender(in, from, l);
  ASSERT_TRUE(r.rejected());
  EXPECT_EQ(r.reply->to_string(), "550 5.1.8 Sender address rejected: domain nowhere.example not found");
  l.domain.status = SenderDomain::Status::null_mx;
  EXPECT_EQ(check_sender(in, from, l).reply->to_string().substr(0, 9), "550 5.1.8");
  l.domain.status = SenderDomain::Status::temperror;
  EXPECT_EQ(check_sender(in, from, l).reply->to_string().substr(0, 9), "450 4.1.8");
  l.domain.status = SenderDomain::Status::exists;
  EXPECT_FALSE(check_sender(in, from, l).rejected());
  EXPECT_FALSE(check_sender(in, Mailbox{}, SenderLookup{{SenderDomain::Status::missing, ""}, false, false}).rejected());
  l.ip_rate_exceeded = true;
  EXPECT_EQ(check_sender(in, from, l).reply->to_string().substr(0, 9), "450 4.7.1");
}

TEST(RecipientCheck, DirectoryUsersGroupsAndAmbiguity) {
  config::Directory dir;
  dir.users = {config::User{"Alice", {"alice@example.org", "a.smith@example.net"}, ""},
               config::User{"Sales Desk", {"sales@example.org"}, ""}};
  dir.groups = {config::Group{"staff", {"alice@example.org"}},
                config::Group{"sales", {"alice@example.org"}},
                config::Group{"Two Words", {}}};
  const RecipientDirectory d(dir, {"example.org", "example.net"});
  config::InboundRecipients c;
  c.verify_local = true;
  const auto reply = [&](const char* local, const char* domain) {
    CheckResult r = check_recipient(c, d, Mailbox{local, domain});
    return r.rejected() ? r.reply->to_string() : std::string(to_string(r.kind));
  };
  EXPECT_EQ(reply("alice", "example.org"), "permit");
  EXPECT_EQ(reply("ALICE", "example.org"), "permit");
  EXPECT_EQ(reply("a.smith", "example.net"), "permit");
  EXPECT_EQ(reply("alice", "example.net"), "550 5.1.1 Recipient address rejected: alice@example.net: user unknown");
  EXPECT_EQ(reply("staff", "example.net"), "permit");
  EXPECT_EQ(reply("sales", "example.org"), "550 5.1.4 Recipient address sales@example.org is ambiguous");
  EXPECT_EQ(reply("postmaster", "example.org"), "permit");
  c.deny_groups = true;
  EXPECT_EQ(reply("staff", "example.org"), "550 5.7.1 Mail to group staff@example.org is not accepted");
  c = {};
  EXPECT_EQ(reply("nobody", "example.org"), "dunno");
}

TEST(Greylist, NetworksAppliesAndAnswers) {
  EXPECT_EQ(client_network("192.0.2.77"), "192.0.2.0/24");
  EXPECT_EQ(client_network("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(client_network("::ffff:192.0.2.77"), "192.0.2.0/24");
  EXPECT_EQ(client_network("nonsense"), "");

  config::Inbound in;
  const Mailbox from{"a", "sender.example"}, to{"b", "example.org"};
  EXPECT_FALSE(greylist_applies(in, "192.0.2.1", "", false, false, from, to));  // off by default
  in.greylist.enabled = true;
  EXPECT_TRUE(greylist_applies(in, "192.0.2.1", "", false, false, from, to));
  EXPECT_FALSE(greylist_applies(in, "192.0.2.1", "", true, false, from, to));
  EXPECT_FALSE(greylist_applies(in, "192.0.2.1", "", false, true, from, to));
  in.greylist.pass_domains = {"sender.example"};
  EXPECT_FALSE(greylist_applies(in, "192.0.2.1", "", false, false, from, to));
  in.greylist.pass_domains = {};
  in.greylist.pass_hosts.networks = {cidr("192.0.2.0/24")};
  EXPECT_FALSE(greylist_applies(in, "192.0.2.1", "", false, false, from, to));

  const GreylistTriplet t = make_triplet("192.0.2.1", Mailbox{"A", "Sender.Example"}, to);
  EXPECT_EQ(t.sender, "a@sender.example");
  CheckResult r = judge_greylist(in.score, t, GreylistAnswer{GreylistAnswer::Kind::defer, 280, ""});
  ASSERT_TRUE(r.rejected());
  EXPECT_EQ(r.reply->to_string(), "451 4.7.1 Greylisted, try again in 280 seconds");
  r = judge_greylist(in.score, t, GreylistAnswer{GreylistAnswer::Kind::pass, 0, ""});
  EXPECT_EQ(names(r.facts), "greylist_passed=-1");
  r = judge_greylist(in.score, t, GreylistAnswer{GreylistAnswer::Kind::error, 0, "router down"});
  EXPECT_FALSE(r.rejected());
  EXPECT_TRUE(r.facts.empty());
}

}  // namespace
}  // namespace postern::edge::policy
