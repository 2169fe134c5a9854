// The c-ares resolver against a real DNS server (DnsFixture: python3-dnslib) on 127.0.0.1.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/dns/resolver.h"
#include "tests/unit/common/dns/dns_fixture.h"
#include "tests/unit/common/dns/run_awaitable.h"

namespace postern::dns {
namespace {

namespace asio = boost::asio;
namespace ip = asio::ip;
using testing::run_awaitable;

class CaresResolverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new testing::DnsFixture(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  std::unique_ptr<Resolver> resolver(std::chrono::milliseconds timeout = std::chrono::milliseconds(300),
                                     int tries = 1) {
    return make_cares_resolver(io_.get_executor(), server_->config(timeout, tries));
  }

  asio::io_context io_;
  static testing::DnsFixture* server_;
};
testing::DnsFixture* CaresResolverTest::server_ = nullptr;

TEST_F(CaresResolverTest, MxWithEqualPreferences) {
  auto r = resolver();
  auto answer = run_awaitable(io_, r->mx("multi.test"));
  ASSERT_EQ(answer.status, Status::ok) << answer.error;
  std::vector<std::pair<int, std::string>> got;
  for (const auto& mx : answer.records) got.emplace_back(mx.preference, mx.host);
  std::sort(got.begin(), got.end());
  const std::vector<std::pair<int, std::string>> expected{
      {5, "mx-first.multi.test"}, {10, "mx-a.multi.test"}, {10, "mx-b.multi.test"}};
  EXPECT_EQ(got, expected);
}

TEST_F(CaresResolverTest, NullMx) {
  auto r = resolver();
  auto answer = run_awaitable(io_, r->mx("nullmx.test"));
  ASSERT_EQ(answer.status, Status::ok) << answer.error;
  ASSERT_EQ(answer.records.size(), 1u);
  EXPECT_EQ(answer.records[0].preference, 0);
  EXPECT_EQ(answer.records[0].host, "");
}

TEST_F(CaresResolverTest, NxdomainAndNodata) {
  auto r = resolver();
  EXPECT_EQ(run_awaitable(io_, r->mx("missing.test")).status, Status::nxdomain);
  EXPECT_EQ(run_awaitable(io_, r->mx("nodata.test")).status, Status::nodata);
  EXPECT_EQ(run_awaitable(io_, r->aaaa("nodata.test")).status, Status::nodata);
}

TEST_F(CaresResolverTest, AddressesAndCname) {
  auto r = resolver();
  auto a = run_awaitable(io_, r->a("host.test"));
  ASSERT_EQ(a.status, Status::ok) << a.error;
  EXPECT_EQ(a.records, (std::vector<ip::address>{ip::make_address("192.0.2.1"),
                                                  ip::make_address("192.0.2.2")}));
  auto aaaa = run_awaitable(io_, r->aaaa("host.test"));
  ASSERT_EQ(aaaa.status, Status::ok) << aaaa.error;
  EXPECT_EQ(aaaa.records, std::vector<ip::address>{ip::make_address("2001:db8::1")});
  auto alias = run_awaitable(io_, r->a("alias.test"));
  ASSERT_EQ(alias.status, Status::ok) << alias.error;
  EXPECT_EQ(alias.records.size(), 2u);
}

TEST_F(CaresResolverTest, TxtMultiString) {
  auto r = resolver();
  auto answer = run_awaitable(io_, r->txt("txt.test"));
  ASSERT_EQ(answer.status, Status::ok) << answer.error;
  auto records = answer.records;
  std::sort(records.begin(), records.end());
  EXPECT_EQ(records, (std::vector<std::string>{"second record", "v=spf1 ip4:192.0.2.0/24 -all"}));
}

TEST_F(CaresResolverTest, PtrV4AndV6) {
  auto r = resolver();
  auto v4 = run_awaitable(io_, r->ptr(ip::make_address("192.0.2.1")));
  ASSERT_EQ(v4.status, Status::ok) << v4.error;
  EXPECT_EQ(v4.records, std::vector<std::string>{"host.test"});
  auto v6 = run_awaitable(io_, r->ptr(ip::make_address("2001:db8::1")));
  ASSERT_EQ(v6.status, Status::ok) << v6.error;
  EXPECT_EQ(v6.records, std::vector<std::string>{"host6.test"});
  EXPECT_EQ(run_awaitable(io_, r->ptr(ip::make_address("192.0.2.99"))).status, Status::nxdomain);
}

TEST_F(CaresResolverTest, SilentServerIsTemperrorWithinTimeout) {
  auto r = resolver(std::chrono::milliseconds(200), 2);
  const auto start = std::chrono::steady_clock::now();
  auto answer = run_awaitable(io_, r->mx("never.silent.test"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(answer.status, Status::temperror) << answer.error;
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(CaresResolverTest, ServfailIsTemperror) {
  auto r = resolver();
  EXPECT_EQ(run_awaitable(io_, r->a("x.servfail.test")).status, Status::temperror);
}

TEST_F(CaresResolverTest, InvalidNameIsPermerror) {
  auto r = resolver();
  EXPECT_EQ(run_awaitable(io_, r->a(std::string("bad\0name", 8))).status, Status::permerror);
  EXPECT_EQ(run_awaitable(io_, r->a("")).status, Status::permerror);
}

TEST_F(CaresResolverTest, ManyConcurrentLookupsAllComplete) {
  auto r = resolver();
  int done = 0, ok = 0;
  for (int i = 0; i < 50; ++i) {
    asio::co_spawn(io_, r->a(i % 2 ? "host.test" : "alias.test"),
                   [&](std::exception_ptr e, Answer<ip::address> answer) {
                     ++done;
                     if (!e && answer.ok() && answer.records.size() == 2) ++ok;
                   });
  }
  io_.run();
  EXPECT_EQ(done, 50);
  EXPECT_EQ(ok, 50);
}

TEST_F(CaresResolverTest, DestroyingResolverCompletesPendingQueries) {
  auto r = resolver(std::chrono::seconds(30), 1);
  std::optional<Answer<MxRecord>> result;
  asio::co_spawn(io_, r->mx("pending.silent.test"), [&](std::exception_ptr, Answer<MxRecord> a) {
    result = std::move(a);
  });
  io_.poll();  // the query is sent
  r.reset();
  io_.run();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status, Status::temperror);
}

TEST(CaresResolverNoServer, ClosedPortIsTemperror) {
  // A port with nothing behind it: bind UDP to learn a free port, then close it.
  asio::io_context io;
  uint16_t port;
  {
    asio::ip::udp::socket probe(io, asio::ip::udp::endpoint(ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  config::Dns dns;
  dns.servers.push_back({"127.0.0.1", port});
  dns.timeout = std::chrono::milliseconds(200);
  dns.tries = 1;
  auto r = make_cares_resolver(io.get_executor(), dns);
  EXPECT_EQ(run_awaitable(io, r->a("host.test")).status, Status::temperror);
}

}  // namespace
}  // namespace postern::dns
