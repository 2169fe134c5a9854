// relay.credentials (router/delivery/smtp_deliverer.h): the SMTP deliverer reads the relay
// host's username and password from the keystore (a fake KeystoreClient here; the integration
// test test_relay_secret.py uses the real keystore) when a session needs AUTH, caches it, and
// treats a keystore failure as a temporary 451 4.7.0. The relay is the project's aiosmtpd
// fixture requiring STARTTLS and AUTH.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "common/tls/context.h"
#include "router/delivery/smtp_deliverer.h"
#include "tests/unit/common/dns/dns_fixture.h"
#include "tests/unit/common/dns/run_awaitable.h"
#include "tests/unit/common/smtp/client/smtp_fixture.h"

namespace postern::router::delivery {
namespace {

namespace asio = boost::asio;

class FakeKeystore : public signing::KeystoreClient {
 public:
  bool down = false;
  int secret_calls = 0;
  std::string last_name;

  asio::awaitable<signing::SignResult> sign(std::vector<signing::DigestToSign>) override {
    co_return signing::SignResult{};
  }
  asio::awaitable<signing::SecretResult> get_secret(std::string name) override {
    ++secret_calls;
    last_name = name;
    signing::SecretResult r;
    if (down) {
      r.error = "keystore 127.0.0.1:7002 unavailable";
    } else {
      r.ok = true;
      r.username = "relayuser";
      r.value = "relaypass";
    }
    co_return r;
  }
};

class RelayCredentialsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dns_ = new testing::DnsFixture("relay.test. IN A 127.0.0.1\n");
    cert_ = new testing::TestCertificate();
  }
  static void TearDownTestSuite() {
    delete dns_;
    delete cert_;
  }

  void SetUp() override {
    resolver_ = dns::make_cares_resolver(io_.get_executor(), dns_->config());
    testing::SmtpFixtureOptions o;
    o.starttls = true;
    o.require_starttls = true;
    o.auth = "relayuser:relaypass";
    o.require_auth = true;
    relay_ = std::make_unique<testing::SmtpFixture>(o, cert_);
  }

  std::unique_ptr<SmtpDeliverer> deliverer(std::chrono::milliseconds ttl) {
    config::SmtpDestination dest;
    dest.mode = config::SmtpMode::relay;
    dest.relay.hosts = {{"relay.test", relay_->port()}};
    dest.relay.tls = config::RelayTls::starttls;
    dest.relay.auth = config::RelayAuth::required;
    dest.relay.credentials = "relay-delta";
    SmtpDeliverer::Options options;
    options.keystore = &keystore_;
    options.credentials_ttl = ttl;
    options.idle_timeout = std::chrono::milliseconds(0);  // a new session (and AUTH) per job
    return std::make_unique<SmtpDeliverer>(io_.get_executor(), *resolver_, "postern.test", tls_,
                                           dest, options);
  }

  std::vector<Outcome> send(SmtpDeliverer& d) {
    DeliveryJob j;
    j.queue_id = "Q1";
    j.mail_from = "a@sender.test";
    j.recipients = {"someone@anywhere.test"};
    j.domain = "anywhere.test";
    j.message = std::make_shared<const std::string>("From: a@sender.test\r\n\r\nhi\r\n");
    return testing::run_awaitable(io_, d.deliver(j));
  }

  FakeKeystore keystore_;
  asio::io_context io_;
  std::unique_ptr<dns::Resolver> resolver_;
  std::shared_ptr<asio::ssl::context> tls_ =
      std::make_shared<asio::ssl::context>(tls::make_client_context());
  std::unique_ptr<testing::SmtpFixture> relay_;
  static testing::DnsFixture* dns_;
  static testing::TestCertificate* cert_;
};
testing::DnsFixture* RelayCredentialsTest::dns_ = nullptr;
testing::TestCertificate* RelayCredentialsTest::cert_ = nullptr;

TEST_F(RelayCredentialsTest, AuthenticatesWithTheKeystoreSecretAndCachesIt) {
  auto d = deliverer(std::chrono::seconds(60));
  auto outcomes = send(*d);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::delivered) << outcomes[0].reply.to_string();
  auto got = relay_->next_message();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->auth, "relayuser");
  EXPECT_EQ(keystore_.last_name, "relay-delta");
  outcomes = send(*d);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::delivered) << outcomes[0].reply.to_string();
  ASSERT_TRUE(relay_->next_message());
  EXPECT_EQ(keystore_.secret_calls, 1);  // cached
}

TEST_F(RelayCredentialsTest, ExpiredCacheReadsTheSecretAgain) {
  auto d = deliverer(std::chrono::milliseconds(0));
  EXPECT_EQ(send(*d)[0].kind, Outcome::Kind::delivered);
  EXPECT_EQ(send(*d)[0].kind, Outcome::Kind::delivered);
  EXPECT_EQ(keystore_.secret_calls, 2);
}

TEST_F(RelayCredentialsTest, KeystoreFailureIsTemporary470AndNothingIsSent) {
  keystore_.down = true;
  auto d = deliverer(std::chrono::seconds(60));
  auto outcomes = send(*d);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::temporary);
  EXPECT_EQ(outcomes[0].reply.code(), 451);
  EXPECT_EQ(outcomes[0].reply.status(), (smtp::EnhancedStatus{4, 7, 0}));
  EXPECT_NE(outcomes[0].reply.to_string().find("keystore 127.0.0.1:7002 unavailable"),
            std::string::npos);
  EXPECT_FALSE(relay_->next_message(std::chrono::milliseconds(300)));
  // The failure is not cached: once the keystore answers, mail flows.
  keystore_.down = false;
  EXPECT_EQ(send(*d)[0].kind, Outcome::Kind::delivered);
  EXPECT_EQ(keystore_.secret_calls, 2);
}

}  // namespace
}  // namespace postern::router::delivery
