// check_host() against a real DNS server (dns_fixture.py, python3-dnslib) through the c-ares
// resolver: identities, limits, loops, huge and malformed records, timeouts, PendingCheck.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "common/mailauth/spf/check_host.h"
#include "common/mailauth/spf/pending_check.h"
#include "tests/unit/common/dns/dns_fixture.h"
#include "tests/unit/common/dns/run_awaitable.h"

namespace postern::spf {
namespace {

namespace asio = boost::asio;
using testing::run_awaitable;
using std::chrono::milliseconds;

// One TXT record made of `size` octets in 255-octet character-strings, as zone-file text.
std::string txt_strings(const std::string& head, std::size_t size, char fill) {
  std::string text = head;
  text.resize(size, fill);
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 255) out += "\"" + text.substr(i, 255) + "\" ";
  return out;
}

std::string zone() {
  std::string z = R"zone(
pass.spf.test.      IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
pass.spf.test.      IN TXT "unrelated text"
loop-a.spf.test.    IN TXT "v=spf1 include:loop-b.spf.test -all"
loop-b.spf.test.    IN TXT "v=spf1 include:loop-a.spf.test -all"
self.spf.test.      IN TXT "v=spf1 redirect=self.spf.test"
alias.spf.test.     IN CNAME alias2.spf.test.
alias2.spf.test.    IN CNAME pass.spf.test.
cloop.spf.test.     IN CNAME cloop2.spf.test.
cloop2.spf.test.    IN CNAME cloop.spf.test.
viacloop.spf.test.  IN TXT "v=spf1 include:cloop.spf.test -all"
slow.spf.test.      IN TXT "v=spf1 include:x.silent.test -all"
servfail.spf.test.  IN TXT "v=spf1 a:x.servfail.test -all"
helo.spf.test.      IN TXT "v=spf1 a -all"
helo.spf.test.      IN A 192.0.2.7
exp.spf.test.       IN TXT "v=spf1 -all exp=why.spf.test"
why.spf.test.       IN TXT "%{i} is not allowed to send for %{d} (%{l} at %{o})"
bad.spf.test.       IN TXT "v=spf1 ip4:192.0.2.0/24 -all moo"
two.spf.test.       IN TXT "v=spf1 -all"
two.spf.test.       IN TXT "v=spf1 +all"
voids.spf.test.     IN TXT "v=spf1 a:n1.spf.test a:n2.spf.test a:n3.spf.test +all"
fail.spf.test.      IN TXT "v=spf1 -all"
ptr.spf.test.       IN TXT "v=spf1 ptr:host.test -all"
mapped.spf.test.    IN TXT "v=spf1 ip6:::ffff:192.0.2.1 ip4:192.0.2.1 -all"
)zone";
  std::string many = "v=spf1";
  for (int i = 0; i < 11; ++i) many += " include:fail.spf.test";
  z += "many.spf.test. IN TXT \"" + many + " +all\"\n";
  z += "huge.spf.test. IN TXT " + txt_strings("v=spf1 ", 20000, 'a') + "\n";
  z += "bigother.spf.test. IN TXT " + txt_strings("junk ", 12000, 'x') + "\n";
  z += "bigother.spf.test. IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n";
  return z;
}

class CheckHostTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new testing::DnsFixture(zone()); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  Verdict mail_from(const std::string& ip, const std::string& sender,
                    const std::string& helo = "client.example", Limits limits = {}) {
    return run_awaitable(io_, check_mail_from(*resolver_, asio::ip::make_address(ip), sender,
                                              helo, "mx.receiver.test", limits));
  }

  asio::io_context io_;
  std::unique_ptr<dns::Resolver> resolver_ =
      dns::make_cares_resolver(io_.get_executor(), server_->config(milliseconds(300), 1));
  static testing::DnsFixture* server_;
};
testing::DnsFixture* CheckHostTest::server_ = nullptr;

TEST_F(CheckHostTest, PassAndFailWithMechanism) {
  const Verdict pass = mail_from("192.0.2.55", "alice@pass.spf.test");
  EXPECT_EQ(pass.result, Result::pass) << pass.problem;
  EXPECT_EQ(pass.mechanism, "ip4:192.0.2.0/24");
  EXPECT_EQ(pass.identity, Identity::mailfrom);
  EXPECT_EQ(pass.domain, "pass.spf.test");
  EXPECT_EQ(pass.sender, "alice@pass.spf.test");
  const Verdict fail = mail_from("198.51.100.1", "alice@pass.spf.test");
  EXPECT_EQ(fail.result, Result::fail);
  EXPECT_EQ(fail.mechanism, "-all");
  EXPECT_EQ(fail.explanation, "");  // no exp= published
}

TEST_F(CheckHostTest, ExplanationIsExpanded) {
  const Verdict v = mail_from("198.51.100.1", "bob@exp.spf.test");
  EXPECT_EQ(v.result, Result::fail);
  EXPECT_EQ(v.explanation, "198.51.100.1 is not allowed to send for exp.spf.test (bob at exp.spf.test)");
}

TEST_F(CheckHostTest, NullSenderChecksPostmasterAtHelo) {
  const Verdict v = mail_from("192.0.2.7", "", "helo.spf.test");
  EXPECT_EQ(v.result, Result::pass) << v.problem;
  EXPECT_EQ(v.sender, "postmaster@helo.spf.test");
  EXPECT_EQ(v.domain, "helo.spf.test");
  EXPECT_EQ(v.identity, Identity::mailfrom);
}

TEST_F(CheckHostTest, HeloIdentity) {
  auto check = [&](const std::string& ip, const std::string& helo) {
    return run_awaitable(io_, check_helo(*resolver_, asio::ip::make_address(ip), helo, "mx.test"));
  };
  const Verdict pass = check("192.0.2.7", "helo.spf.test");
  EXPECT_EQ(pass.result, Result::pass);
  EXPECT_EQ(pass.identity, Identity::helo);
  EXPECT_EQ(check("192.0.2.8", "helo.spf.test").result, Result::fail);
  EXPECT_EQ(check("192.0.2.7", "[192.0.2.7]").result, Result::none);
  EXPECT_EQ(check("192.0.2.7", "localhost").result, Result::none);
  EXPECT_EQ(check("192.0.2.7", "nothing.spf.test").result, Result::none);
}

TEST_F(CheckHostTest, Ipv4MappedClientIsIpv4) {
  const Verdict v = mail_from("::ffff:192.0.2.1", "x@mapped.spf.test");
  EXPECT_EQ(v.result, Result::pass);
  EXPECT_EQ(v.mechanism, "ip4:192.0.2.1");
}

TEST_F(CheckHostTest, IncludeLoopAndRedirectLoopArePermerror) {
  const Verdict include = mail_from("192.0.2.1", "x@loop-a.spf.test");
  EXPECT_EQ(include.result, Result::permerror);
  EXPECT_NE(include.problem.find("DNS-querying"), std::string::npos) << include.problem;
  EXPECT_EQ(mail_from("192.0.2.1", "x@self.spf.test").result, Result::permerror);
}

TEST_F(CheckHostTest, ElevenIncludesArePermerror) {
  EXPECT_EQ(mail_from("192.0.2.1", "x@many.spf.test").result, Result::permerror);
  Limits generous;
  generous.dns_terms = 11;
  EXPECT_EQ(mail_from("192.0.2.1", "x@many.spf.test", "h.example", generous).result, Result::pass);
}

TEST_F(CheckHostTest, ThirdVoidLookupIsPermerror) {
  EXPECT_EQ(mail_from("192.0.2.1", "x@voids.spf.test").result, Result::permerror);
  Limits generous;
  generous.void_lookups = 3;
  EXPECT_EQ(mail_from("192.0.2.1", "x@voids.spf.test", "h.example", generous).result,
            Result::pass);
}

TEST_F(CheckHostTest, CnameChainsAreFollowedAndLoopsEnd) {
  EXPECT_EQ(mail_from("192.0.2.1", "x@alias.spf.test").result, Result::pass);
  EXPECT_EQ(mail_from("192.0.2.1", "x@cloop.spf.test").result, Result::none);
  EXPECT_EQ(mail_from("192.0.2.1", "x@viacloop.spf.test").result, Result::permerror);
}

TEST_F(CheckHostTest, HugeRecordsNeitherCrashNorPass) {
  const Verdict huge = mail_from("192.0.2.1", "x@huge.spf.test");  // 20 kB over TCP
  EXPECT_EQ(huge.result, Result::permerror);
  EXPECT_EQ(huge.problem, "SPF record of huge.spf.test: record too long");
  const Verdict beside = mail_from("192.0.2.1", "x@bigother.spf.test");
  EXPECT_EQ(beside.result, Result::pass) << beside.problem;
}

TEST_F(CheckHostTest, MalformedAndDuplicateRecordsArePermerror) {
  EXPECT_EQ(mail_from("192.0.2.1", "x@bad.spf.test").result, Result::permerror);
  const Verdict two = mail_from("192.0.2.1", "x@two.spf.test");
  EXPECT_EQ(two.result, Result::permerror);
  EXPECT_EQ(two.problem, "more than one SPF record at two.spf.test");
}

TEST_F(CheckHostTest, DnsTimeoutAndServfailAreTemperror) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(mail_from("192.0.2.1", "x@slow.spf.test").result, Result::temperror);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(mail_from("192.0.2.1", "x@servfail.spf.test").result, Result::temperror);
  EXPECT_EQ(mail_from("192.0.2.1", "x@y.silent.test").result, Result::temperror);
}

TEST_F(CheckHostTest, TimeBudgetExceededIsTemperror) {
  Limits none_left;
  none_left.time_budget = milliseconds(-1);
  const Verdict v = mail_from("192.0.2.1", "x@pass.spf.test", "h.example", none_left);
  EXPECT_EQ(v.result, Result::temperror);
  EXPECT_EQ(v.problem, "SPF evaluation took too long");
}

TEST_F(CheckHostTest, PtrMechanismValidatesNames) {
  // 192.0.2.1 → host.test (built-in zone), whose A records include 192.0.2.1.
  EXPECT_EQ(mail_from("192.0.2.1", "x@ptr.spf.test").result, Result::pass);
  // 192.0.2.2 has no PTR record: no match.
  EXPECT_EQ(mail_from("192.0.2.2", "x@ptr.spf.test").result, Result::fail);
}

TEST_F(CheckHostTest, PendingCheckCanBeAwaitedLaterAndTwice) {
  auto check = PendingCheck::start_mail_from(io_.get_executor(), *resolver_,
                                             asio::ip::make_address("192.0.2.9"),
                                             "alice@pass.spf.test", "client.example", "mx.test");
  EXPECT_FALSE(check->ready());  // nothing ran yet: start() only spawned it
  const Verdict first = run_awaitable(io_, check->wait());
  EXPECT_TRUE(check->ready());
  EXPECT_EQ(first.result, Result::pass);
  const Verdict again = run_awaitable(io_, check->wait());
  EXPECT_EQ(again.result, Result::pass);
  EXPECT_EQ(again.mechanism, first.mechanism);
}

}  // namespace
}  // namespace postern::spf

namespace postern::spf {
namespace {

// pyspf (python3-spf) evaluates the same scenarios against the same DNS server.
std::string pyspf_result(uint16_t port, const std::string& ip, const std::string& sender,
                         const std::string& helo) {
  testing::ChildProcess py({"/usr/bin/python3",
                            testing::source_path("tests/unit/common/mailauth/spf/pyspf_check.py"),
                            std::to_string(port), ip, sender, helo});
  while (auto line = py.read_line(std::chrono::seconds(20)))
    if (line->starts_with("RESULT ")) return line->substr(7);
  return "<no answer from pyspf>";
}

TEST_F(CheckHostTest, AgreesWithPyspf) {
  struct Scenario {
    const char* ip;
    const char* sender;
    const char* helo;
  };
  const Scenario scenarios[] = {
      {"192.0.2.55", "alice@pass.spf.test", "client.example"},
      {"198.51.100.1", "alice@pass.spf.test", "client.example"},
      {"198.51.100.1", "bob@exp.spf.test", "client.example"},
      {"192.0.2.7", "", "helo.spf.test"},
      {"192.0.2.1", "x@loop-a.spf.test", "client.example"},
      {"192.0.2.1", "x@two.spf.test", "client.example"},
      {"192.0.2.1", "x@voids.spf.test", "client.example"},
      {"192.0.2.1", "x@alias.spf.test", "client.example"},
      {"192.0.2.1", "x@bigother.spf.test", "client.example"},
      {"192.0.2.1", "x@ptr.spf.test", "client.example"},
      {"192.0.2.1", "x@bad.spf.test", "client.example"},
      {"192.0.2.1", "x@nothing.spf.test", "client.example"},
  };
  for (const auto& s : scenarios) {
    const Verdict ours = mail_from(s.ip, s.sender, s.helo);
    EXPECT_EQ(std::string(to_string(ours.result)), pyspf_result(server_->port(), s.ip, s.sender, s.helo))
        << s.sender << " from " << s.ip;
  }
}

}  // namespace
}  // namespace postern::spf
