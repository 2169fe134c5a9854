// SmtpDeliverer against real peers: the dnslib fixture for DNS and aiosmtpd as MX/relay host.
#include "router/delivery/smtp_deliverer.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/tls/context.h"
#include "tests/unit/common/dns/dns_fixture.h"
#include "tests/unit/common/dns/run_awaitable.h"
#include "tests/unit/common/smtp/client/smtp_fixture.h"

namespace postern::router::delivery {
namespace {

namespace asio = boost::asio;
using testing::SmtpFixture;
using testing::SmtpFixtureOptions;

// Every host name resolves to 127.0.0.1: the tests never leave the loopback address.
const char* kZone = R"(
pref.test.           IN MX 5  noaddr.pref.test.
pref.test.           IN MX 10 mx.pref.test.
noaddr.pref.test.    IN TXT "this MX host has no address"
mx.pref.test.        IN A  127.0.0.1
implicit.test.       IN A  127.0.0.1
rcpt.test.           IN MX 10 mx.pref.test.
relay.test.          IN A  127.0.0.1
)";

const std::string kMessage = "From: a@sender.test\r\nSubject: t\r\n\r\n.dot\r\nbody\r\n";

class SmtpDelivererTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dns_ = new testing::DnsFixture(kZone);
    cert_ = new testing::TestCertificate();
  }
  static void TearDownTestSuite() {
    delete dns_;
    delete cert_;
  }

  void SetUp() override {
    resolver_ = dns::make_cares_resolver(io_.get_executor(), dns_->config());
  }

  std::unique_ptr<SmtpDeliverer> deliverer(const config::SmtpDestination& destination) {
    SmtpDeliverer::Options options;
    auto& t = options.timeouts;
    t.connect = t.greeting = t.command = t.mail = t.rcpt = t.data_init = t.data_block =
        t.data_end = t.tls_handshake = t.rset = t.quit = std::chrono::seconds(10);
    options.idle_timeout = std::chrono::seconds(30);
    return std::make_unique<SmtpDeliverer>(io_.get_executor(), *resolver_, "postern.test",
                                           tls_, destination, options);
  }

  static config::SmtpDestination direct(uint16_t port) {
    config::SmtpDestination d;
    d.mode = config::SmtpMode::direct;
    d.port = port;
    return d;
  }

  static DeliveryJob job(const std::string& domain, std::vector<std::string> local_parts) {
    DeliveryJob j;
    j.queue_id = "Q-" + domain;
    j.mail_from = "a@sender.test";
    for (const auto& l : local_parts) j.recipients.push_back(l + "@" + domain);
    j.domain = domain;
    j.message = std::make_shared<const std::string>(kMessage);
    return j;
  }

  std::vector<Outcome> run(SmtpDeliverer& d, const DeliveryJob& j) {
    return testing::run_awaitable(io_, d.deliver(j));
  }

  static uint16_t closed_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    return probe.local_endpoint().port();
  }

  asio::io_context io_;
  std::unique_ptr<dns::Resolver> resolver_;
  std::shared_ptr<asio::ssl::context> tls_ =
      std::make_shared<asio::ssl::context>(tls::make_client_context());
  static testing::DnsFixture* dns_;
  static testing::TestCertificate* cert_;
};
testing::DnsFixture* SmtpDelivererTest::dns_ = nullptr;
testing::TestCertificate* SmtpDelivererTest::cert_ = nullptr;

TEST_F(SmtpDelivererTest, MxByPreferenceSkipsDeadFirstMx) {
  SmtpFixture mx;
  auto d = deliverer(direct(mx.port()));
  auto outcomes = run(*d, job("pref.test", {"user"}));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::delivered) << outcomes[0].reply.to_string();
  EXPECT_NE(outcomes[0].remote.find("mx.pref.test[127.0.0.1]"), std::string::npos)
      << outcomes[0].remote;
  auto got = mx.next_message();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->rcpt_tos, std::vector<std::string>{"user@pref.test"});
  EXPECT_EQ(got->data, kMessage);
}

TEST_F(SmtpDelivererTest, ImplicitMxWhenDomainHasNoMx) {
  SmtpFixture mx;
  auto d = deliverer(direct(mx.port()));
  auto outcomes = run(*d, job("implicit.test", {"user"}));
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::delivered) << outcomes[0].reply.to_string();
  EXPECT_TRUE(mx.next_message().has_value());
}

TEST_F(SmtpDelivererTest, DnsVerdicts) {
  auto d = deliverer(direct(closed_port()));
  auto null_mx = run(*d, job("nullmx.test", {"a", "b"}));
  ASSERT_EQ(null_mx.size(), 2u);
  for (const auto& o : null_mx) {
    EXPECT_EQ(o.kind, Outcome::Kind::permanent);
    EXPECT_EQ(o.reply.code(), 556);
    EXPECT_EQ(o.reply.status(), (smtp::EnhancedStatus{5, 1, 10}));
  }
  auto nx = run(*d, job("missing.test", {"a"}));
  EXPECT_EQ(nx[0].kind, Outcome::Kind::permanent);
  EXPECT_EQ(nx[0].reply.status(), (smtp::EnhancedStatus{5, 1, 2}));
  auto silent = run(*d, job("x.silent.test", {"a"}));
  EXPECT_EQ(silent[0].kind, Outcome::Kind::temporary);
  EXPECT_EQ(silent[0].reply.status(), (smtp::EnhancedStatus{4, 4, 3}));
}

TEST_F(SmtpDelivererTest, UnreachableMxIsTemporary) {
  auto d = deliverer(direct(closed_port()));
  auto outcomes = run(*d, job("pref.test", {"a"}));
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::temporary);
  EXPECT_EQ(outcomes[0].reply.status(), (smtp::EnhancedStatus{4, 4, 1}));
}

TEST_F(SmtpDelivererTest, MixedPerRecipientOutcomesInOneTransaction) {
  SmtpFixture mx;
  auto d = deliverer(direct(mx.port()));
  auto outcomes = run(*d, job("rcpt.test", {"ok", "tempfail", "reject", "ok2"}));
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::delivered);
  EXPECT_EQ(outcomes[1].kind, Outcome::Kind::temporary);
  EXPECT_EQ(outcomes[1].reply.status(), (smtp::EnhancedStatus{4, 2, 0}));
  EXPECT_EQ(outcomes[2].kind, Outcome::Kind::permanent);
  EXPECT_EQ(outcomes[2].reply.status(), (smtp::EnhancedStatus{5, 1, 1}));
  EXPECT_EQ(outcomes[3].kind, Outcome::Kind::delivered);
  auto got = mx.next_message();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->rcpt_tos, (std::vector<std::string>{"ok@rcpt.test", "ok2@rcpt.test"}));
}

TEST_F(SmtpDelivererTest, OpportunisticTlsUsedWhenOffered) {
  SmtpFixtureOptions o;
  o.starttls = true;
  SmtpFixture mx(o, cert_);
  auto d = deliverer(direct(mx.port()));
  auto outcomes = run(*d, job("rcpt.test", {"ok"}));
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::delivered) << outcomes[0].reply.to_string();
  auto got = mx.next_message();
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->tls);
}

TEST_F(SmtpDelivererTest, TlsRequiredButNotOfferedIsTemporary) {
  SmtpFixture mx;  // no STARTTLS
  auto dest = direct(mx.port());
  dest.tls = config::DirectTls::required;
  auto d = deliverer(dest);
  auto outcomes = run(*d, job("rcpt.test", {"ok"}));
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::temporary);
  EXPECT_EQ(outcomes[0].reply.status(), (smtp::EnhancedStatus{4, 7, 4}));
  EXPECT_FALSE(mx.next_message(std::chrono::milliseconds(300)).has_value());
}

TEST_F(SmtpDelivererTest, RelayWithAuthOverStartTlsAfterRefusedFirstHost) {
  SmtpFixtureOptions o;
  o.starttls = true;
  o.require_starttls = true;
  o.auth = "relayuser:relaypass";
  o.require_auth = true;
  SmtpFixture relay(o, cert_);
  config::SmtpDestination dest;
  dest.mode = config::SmtpMode::relay;
  dest.relay.hosts = {{"127.0.0.1", closed_port()}, {"relay.test", relay.port()}};
  dest.relay.tls = config::RelayTls::starttls;
  dest.relay.auth = config::RelayAuth::required;
  dest.relay.username = "relayuser";
  dest.relay.password = "relaypass";
  auto d = deliverer(dest);
  auto outcomes = run(*d, job("anywhere.test", {"someone"}));
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::delivered) << outcomes[0].reply.to_string();
  auto got = relay.next_message();
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->tls);
  EXPECT_EQ(got->auth, "relayuser");
}

TEST_F(SmtpDelivererTest, RelayAuthRequiredButRefusedIsTemporary) {
  SmtpFixtureOptions o;
  o.starttls = true;
  o.auth = "relayuser:relaypass";
  SmtpFixture relay(o, cert_);
  config::SmtpDestination dest;
  dest.mode = config::SmtpMode::relay;
  dest.relay.hosts = {{"127.0.0.1", relay.port()}};
  dest.relay.tls = config::RelayTls::starttls;
  dest.relay.auth = config::RelayAuth::required;
  dest.relay.username = "relayuser";
  dest.relay.password = "wrong";
  auto d = deliverer(dest);
  auto outcomes = run(*d, job("anywhere.test", {"someone"}));
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::temporary);
  EXPECT_EQ(outcomes[0].reply.status(), (smtp::EnhancedStatus{4, 7, 8}));
}

TEST_F(SmtpDelivererTest, RelayImplicitTls) {
  SmtpFixtureOptions o;
  o.implicit_tls = true;
  SmtpFixture relay(o, cert_);
  config::SmtpDestination dest;
  dest.mode = config::SmtpMode::relay;
  dest.relay.hosts = {{"127.0.0.1", relay.port()}};
  dest.relay.tls = config::RelayTls::implicit;
  auto d = deliverer(dest);
  auto outcomes = run(*d, job("anywhere.test", {"someone"}));
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::delivered) << outcomes[0].reply.to_string();
  auto got = relay.next_message();
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->tls);
}

TEST_F(SmtpDelivererTest, ReusesOneConnectionForTwoJobs) {
  SmtpFixture mx;
  auto d = deliverer(direct(mx.port()));
  auto first = run(*d, job("rcpt.test", {"one"}));
  EXPECT_EQ(d->idle_connections(), 1u);
  auto second = run(*d, job("rcpt.test", {"two"}));
  EXPECT_EQ(first[0].kind, Outcome::Kind::delivered);
  EXPECT_EQ(second[0].kind, Outcome::Kind::delivered);
  auto m1 = mx.next_message();
  auto m2 = mx.next_message();
  ASSERT_TRUE(m1 && m2);
  EXPECT_EQ(m1->peer_port, m2->peer_port);
}

TEST_F(SmtpDelivererTest, ConcurrencyLimitSerialisesAndReuses) {
  SmtpFixture mx;
  auto dest = direct(mx.port());
  dest.max_connections = 1;
  auto d = deliverer(dest);
  const auto j1 = job("rcpt.test", {"c1"});
  const auto j2 = job("rcpt.test", {"c2"});
  int delivered = 0;
  for (const auto* j : {&j1, &j2})
    asio::co_spawn(io_, d->deliver(*j), [&](std::exception_ptr e, std::vector<Outcome> o) {
      if (!e && o.size() == 1 && o[0].kind == Outcome::Kind::delivered) ++delivered;
    });
  io_.restart();
  while (delivered < 2 && io_.run_one() > 0) {
  }
  EXPECT_EQ(delivered, 2);
  auto m1 = mx.next_message();
  auto m2 = mx.next_message();
  ASSERT_TRUE(m1 && m2);
  EXPECT_EQ(m1->peer_port, m2->peer_port);  // the second waited, then reused the first's
}

}  // namespace
}  // namespace postern::router::delivery
