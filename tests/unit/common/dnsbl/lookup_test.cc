// dnsbl::lookup() against a real DNS server (tests/support/dns_server.py through DnsFixture)
// over the c-ares resolver: IPv4 and IPv6 listed / not listed, codes, masks, refusal codes,
// wildcard answers, TXT reasons, SERVFAIL and timeouts, and that zones are queried at once.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "common/dnsbl/lookup.h"
#include "tests/unit/common/dns/dns_fixture.h"
#include "tests/unit/common/dns/run_awaitable.h"

namespace postern::dnsbl {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using testing::run_awaitable;

constexpr char kZone[] = R"zone(
1.2.0.192.bl.test.   IN A   127.0.0.2
1.2.0.192.bl.test.   IN TXT "Listed: see https://bl.test/query/192.0.2.1"
2.2.0.192.bl.test.   IN A   127.0.0.10
2.2.0.192.bl.test.   IN A   127.0.0.4
3.2.0.192.bl.test.   IN A   127.255.255.254
4.2.0.192.bl.test.   IN A   192.0.2.99
5.2.0.192.bl.test.   IN A   127.0.0.1
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test. IN A 127.0.0.3
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test. IN TXT "v6 " "listed"
3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test. IN A 127.255.255.255
1.2.0.192.mask.test. IN A   127.0.0.6
1.2.0.192.wl.test.   IN A   127.0.10.2
2.2.0.192.wl.test.   IN A   127.0.0.255
)zone";

class DnsblLookupTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new testing::DnsFixture(kZone); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static Zone zone(const std::string& name, std::vector<std::string> codes = {}) {
    Zone z;
    z.name = name;
    auto parsed = parse_codes(codes);
    EXPECT_TRUE(parsed.codes) << parsed.error;
    if (parsed.codes) z.codes = *parsed.codes;
    return z;
  }

  std::vector<ZoneResult> run(const std::string& client, std::vector<Zone> zones) {
    return run_awaitable(io_, lookup(*resolver_, asio::ip::make_address(client), std::move(zones)));
  }
  ZoneResult one(const std::string& client, Zone z) {
    auto results = run(client, {std::move(z)});
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? ZoneResult{} : results.front();
  }

  asio::io_context io_;
  std::unique_ptr<dns::Resolver> resolver_ =
      dns::make_cares_resolver(io_.get_executor(), server_->config(milliseconds(400), 1));
  static testing::DnsFixture* server_;
};

testing::DnsFixture* DnsblLookupTest::server_ = nullptr;

TEST_F(DnsblLookupTest, Ipv4ListedWithTxtReason) {
  const auto r = one("192.0.2.1", zone("bl.test"));
  EXPECT_EQ(r.zone, "bl.test");
  EXPECT_EQ(r.outcome, Outcome::listed) << r.error;
  ASSERT_EQ(r.codes.size(), 1u);
  EXPECT_EQ(r.codes[0].to_string(), "127.0.0.2");
  EXPECT_EQ(r.txt, "Listed: see https://bl.test/query/192.0.2.1");
}

TEST_F(DnsblLookupTest, TxtOnlyWhenWanted) {
  Zone z = zone("bl.test");
  z.want_txt = false;
  const auto r = one("192.0.2.1", z);
  EXPECT_EQ(r.outcome, Outcome::listed);
  EXPECT_EQ(r.txt, "");
}

TEST_F(DnsblLookupTest, Ipv4NotListed) {
  const auto r = one("192.0.2.77", zone("bl.test"));
  EXPECT_EQ(r.outcome, Outcome::not_listed) << r.error;
  EXPECT_TRUE(r.codes.empty());
}

TEST_F(DnsblLookupTest, Ipv6ListedAndNotListed) {
  const auto listed = one("2001:db8::1", zone("bl.test"));
  EXPECT_EQ(listed.outcome, Outcome::listed) << listed.error;
  ASSERT_EQ(listed.codes.size(), 1u);
  EXPECT_EQ(listed.codes[0].to_string(), "127.0.0.3");
  EXPECT_EQ(listed.txt, "v6 listed");
  EXPECT_EQ(one("2001:db8::2", zone("bl.test")).outcome, Outcome::not_listed);
}

TEST_F(DnsblLookupTest, Ipv6RefusalAndTimeout) {
  const auto refused = one("2001:db8::3", zone("bl.test"));
  EXPECT_EQ(refused.outcome, Outcome::error);
  EXPECT_NE(refused.error.find("127.255.255.255"), std::string::npos) << refused.error;
  const auto silent = one("2001:db8::1", zone("bl.silent.test"));
  EXPECT_EQ(silent.outcome, Outcome::error);
  EXPECT_NE(silent.error.find("temperror"), std::string::npos) << silent.error;
}

TEST_F(DnsblLookupTest, V4MappedClientIsLookedUpAsIpv4) {
  EXPECT_EQ(one("::ffff:192.0.2.1", zone("bl.test")).outcome, Outcome::listed);
}

TEST_F(DnsblLookupTest, CodesDecideWhatCountsAsListed) {
  // 2.2.0.192 answers 127.0.0.10 and 127.0.0.4.
  EXPECT_EQ(one("192.0.2.2", zone("bl.test", {"127.0.0.2-127.0.0.11"})).outcome, Outcome::listed);
  const auto only_two = one("192.0.2.2", zone("bl.test", {"127.0.0.2"}));
  EXPECT_EQ(only_two.outcome, Outcome::not_listed);
  EXPECT_EQ(only_two.codes.size(), 2u);  // the answers are still reported
  EXPECT_EQ(one("192.0.2.5", zone("bl.test", {"127.0.0.2-127.0.0.11"})).outcome,
            Outcome::not_listed);
  EXPECT_EQ(one("192.0.2.1", zone("mask.test", {"mask:0.0.0.4"})).outcome, Outcome::listed);
  EXPECT_EQ(one("192.0.2.1", zone("mask.test", {"mask:0.0.0.8"})).outcome, Outcome::not_listed);
}

TEST_F(DnsblLookupTest, RefusalCodeIsAnErrorNeverAHit) {
  const auto r = one("192.0.2.3", zone("bl.test"));
  EXPECT_EQ(r.outcome, Outcome::error);
  EXPECT_NE(r.error.find("127.255.255.254"), std::string::npos) << r.error;
  EXPECT_TRUE(r.txt.empty());
}

TEST_F(DnsblLookupTest, ZoneSpecificRefusal) {
  Zone wl = zone("wl.test");
  wl.refusals.add_range({0x7f0000ff, 0x7f0000ff});
  EXPECT_EQ(one("192.0.2.1", wl).outcome, Outcome::listed);
  EXPECT_EQ(one("192.0.2.2", wl).outcome, Outcome::error);
}

TEST_F(DnsblLookupTest, AnswerOutsideLoopbackIsAnError) {
  const auto r = one("192.0.2.4", zone("bl.test"));
  EXPECT_EQ(r.outcome, Outcome::error);
  EXPECT_NE(r.error.find("outside 127.0.0.0/8"), std::string::npos) << r.error;
}

TEST_F(DnsblLookupTest, ServfailAndTimeoutAreErrors) {
  const auto servfail = one("192.0.2.1", zone("bl.servfail.test"));
  EXPECT_EQ(servfail.outcome, Outcome::error);
  EXPECT_NE(servfail.error.find("temperror"), std::string::npos) << servfail.error;
  const auto silent = one("192.0.2.1", zone("bl.silent.test"));
  EXPECT_EQ(silent.outcome, Outcome::error);
  EXPECT_NE(silent.error.find("temperror"), std::string::npos) << silent.error;
}

TEST_F(DnsblLookupTest, ZonesAreQueriedConcurrentlyAndReportedInOrder) {
  // Four zones that time out (400 ms, one try each) and two that answer: one after another
  // that would take at least 1.6 s; at once it takes about one timeout.
  std::vector<Zone> zones{zone("a.silent.test"), zone("bl.test"),       zone("b.silent.test"),
                          zone("c.silent.test"), zone("d.silent.test"), zone("mask.test")};
  const auto start = std::chrono::steady_clock::now();
  const auto results = run("192.0.2.1", std::move(zones));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(results.size(), 6u);
  const std::vector<std::string> names{"a.silent.test", "bl.test",       "b.silent.test",
                                       "c.silent.test", "d.silent.test", "mask.test"};
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(results[i].zone, names[i]);
  EXPECT_EQ(results[0].outcome, Outcome::error);
  EXPECT_EQ(results[1].outcome, Outcome::listed);
  EXPECT_EQ(results[2].outcome, Outcome::error);
  EXPECT_EQ(results[5].outcome, Outcome::listed);
  EXPECT_LT(took, milliseconds(1300)) << "zones were not queried concurrently";
}

TEST_F(DnsblLookupTest, NoZonesNoResults) { EXPECT_TRUE(run("192.0.2.1", {}).empty()); }

}  // namespace
}  // namespace postern::dnsbl
