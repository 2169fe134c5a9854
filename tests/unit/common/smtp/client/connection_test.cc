// The SMTP client connection against a real peer: aiosmtpd (SmtpFixture) on 127.0.0.1.
#include "common/smtp/client/connection.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/tls/context.h"
#include "tests/unit/common/dns/run_awaitable.h"
#include "tests/unit/common/smtp/client/smtp_fixture.h"

namespace postern::smtp::client {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using testing::run_awaitable;
using testing::SmtpFixture;
using testing::SmtpFixtureOptions;

const std::string kMessage =
    "From: a@sender.test\r\nTo: b@rcpt.test\r\nSubject: test\r\n\r\n"
    "first line\r\n.leading dot\r\n..two dots\r\n.\r\nlast\r\n";

tcp::endpoint local(uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

class ConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cert_ = new testing::TestCertificate(); }
  static void TearDownTestSuite() { delete cert_; }

  // Short timeouts: a test that hangs fails in seconds, not after RFC 5321's minutes.
  static Timeouts short_timeouts() {
    Timeouts t;
    t.connect = t.greeting = t.command = t.mail = t.rcpt = t.data_init = t.data_block =
        t.data_end = t.tls_handshake = t.rset = t.quit = std::chrono::seconds(10);
    return t;
  }

  std::unique_ptr<Connection> connection(Timeouts timeouts = short_timeouts()) {
    ClientOptions options;
    options.helo_name = "client.test";
    options.server_name = "localhost";
    options.timeouts = timeouts;
    return std::make_unique<Connection>(io_.get_executor(), tls_, options);
  }

  asio::io_context io_;
  asio::ssl::context tls_ = tls::make_client_context();
  static testing::TestCertificate* cert_;
};
testing::TestCertificate* ConnectionTest::cert_ = nullptr;

TEST_F(ConnectionTest, PlainPipelinedTransactionWithPerRecipientReplies) {
  SmtpFixture server;
  auto c = connection();
  auto result = run_awaitable(io_, [&]() -> asio::awaitable<TransactionResult> {
    StepResult s = co_await c->open(local(server.port()), false);
    EXPECT_TRUE(s.ok()) << s.reply.to_string();
    s = co_await c->hello();
    EXPECT_TRUE(s.ok()) << s.reply.to_string();
    EXPECT_TRUE(c->capabilities().pipelining);
    Envelope env{"a@sender.test", {"b@rcpt.test", "tempfail@rcpt.test", "reject@rcpt.test"}};
    co_return co_await c->send(env, kMessage);
  }());
  ASSERT_EQ(result.recipients.size(), 3u);
  EXPECT_FALSE(result.connection_failed);
  EXPECT_EQ(result.recipients[0].code(), 250);
  EXPECT_EQ(result.recipients[1].code(), 451);
  EXPECT_EQ(result.recipients[1].status(), (EnhancedStatus{4, 2, 0}));
  EXPECT_EQ(result.recipients[2].code(), 550);
  EXPECT_EQ(result.recipients[2].status(), (EnhancedStatus{5, 1, 1}));
  auto got = server.next_message();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->mail_from, "a@sender.test");
  EXPECT_EQ(got->rcpt_tos, std::vector<std::string>{"b@rcpt.test"});
  EXPECT_EQ(got->data, kMessage);  // dot-stuffed on the wire, unstuffed by the server
  EXPECT_FALSE(got->tls);
  EXPECT_FALSE(c->tls_active());
}

TEST_F(ConnectionTest, RefusedMailFailsEveryRecipientWithMailReply) {
  SmtpFixture server;
  auto c = connection();
  auto result = run_awaitable(io_, [&]() -> asio::awaitable<TransactionResult> {
    co_await c->open(local(server.port()), false);
    co_await c->hello();
    Envelope env1{"reject-mail@sender.test", {"x@rcpt.test", "y@rcpt.test"}};
    co_return co_await c->send(env1, kMessage);
  }());
  ASSERT_EQ(result.recipients.size(), 2u);
  for (const auto& r : result.recipients) {
    EXPECT_EQ(r.code(), 550);
    EXPECT_EQ(r.status(), (EnhancedStatus{5, 7, 1}));
  }
  EXPECT_TRUE(c->usable());
}

TEST_F(ConnectionTest, UnpipelinedWithTempfailAndReuseAfterRset) {
  SmtpFixtureOptions o;
  o.pipelining = false;
  SmtpFixture server(o);
  auto c = connection();
  TransactionResult first, second;
  run_awaitable(io_, [&]() -> asio::awaitable<bool> {
    co_await c->open(local(server.port()), false);
    co_await c->hello();
    EXPECT_FALSE(c->capabilities().pipelining);
    Envelope env2{"a@s.test", {"tempfail@r.test", "ok@r.test"}};
    first = co_await c->send(env2, kMessage);
    StepResult rset = co_await c->reset();
    EXPECT_TRUE(rset.ok()) << rset.reply.to_string();
    Envelope env3{"a@s.test", {"again@r.test"}};
    second = co_await c->send(env3, "Subject: 2\r\n\r\nx\r\n");
    co_await c->quit();
    co_return true;
  }());
  EXPECT_EQ(first.recipients[0].code(), 451);
  EXPECT_EQ(first.recipients[1].code(), 250);
  EXPECT_EQ(second.recipients[0].code(), 250);
  auto m1 = server.next_message();
  auto m2 = server.next_message();
  ASSERT_TRUE(m1 && m2);
  EXPECT_EQ(m1->peer_port, m2->peer_port);  // one connection carried both
  EXPECT_EQ(c->transactions(), 2);
}

TEST_F(ConnectionTest, HeloFallbackWhenEhloRefused) {
  SmtpFixtureOptions o;
  o.ehlo = false;
  SmtpFixture server(o);
  auto c = connection();
  auto result = run_awaitable(io_, [&]() -> asio::awaitable<TransactionResult> {
    co_await c->open(local(server.port()), false);
    StepResult s = co_await c->hello();
    EXPECT_TRUE(s.ok()) << s.reply.to_string();
    EXPECT_FALSE(c->capabilities().esmtp);
    Envelope env4{"a@s.test", {"b@r.test"}, true, false};
    co_return co_await c->send(env4, kMessage);
  }());
  EXPECT_EQ(result.recipients[0].code(), 250);
  auto got = server.next_message();
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->mail_options.empty());  // no ESMTP parameters to an SMTP-only server
}

TEST_F(ConnectionTest, StartTlsThenAuthPlain) {
  SmtpFixtureOptions o;
  o.starttls = true;
  o.require_starttls = true;
  o.auth = "relayuser:s3cret";
  o.require_auth = true;
  SmtpFixture server(o, cert_);
  auto c = connection();
  auto result = run_awaitable(io_, [&]() -> asio::awaitable<TransactionResult> {
    co_await c->open(local(server.port()), false);
    co_await c->hello();
    EXPECT_TRUE(c->capabilities().starttls);
    EXPECT_TRUE(c->capabilities().auth.empty());  // AUTH only after TLS
    StepResult s = co_await c->starttls();
    EXPECT_TRUE(s.ok()) << s.reply.to_string() << " " << s.detail;
    EXPECT_FALSE(c->capabilities().starttls);
    EXPECT_TRUE(c->capabilities().has_auth("PLAIN"));
    s = co_await c->authenticate("relayuser", "s3cret");
    EXPECT_TRUE(s.ok()) << s.reply.to_string();
    Envelope env5{"a@s.test", {"b@r.test"}, true, false};
    co_return co_await c->send(env5, kMessage);
  }());
  EXPECT_EQ(result.recipients[0].code(), 250);
  EXPECT_TRUE(c->tls_active());
  EXPECT_NE(c->tls_description().find("version=TLSv1."), std::string::npos) << c->tls_description();
  auto got = server.next_message();
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->tls);
  EXPECT_EQ(got->auth, "relayuser");
  EXPECT_EQ(got->mail_options, (std::vector<std::string>{"SIZE=" + std::to_string(kMessage.size()),
                                                         "BODY=8BITMIME"}));
}

TEST_F(ConnectionTest, ImplicitTlsWithAuthLogin) {
  SmtpFixtureOptions o;
  o.implicit_tls = true;
  o.auth = "loginuser:pw";
  o.auth_login_only = true;
  SmtpFixture server(o, cert_);
  auto c = connection();
  auto result = run_awaitable(io_, [&]() -> asio::awaitable<TransactionResult> {
    StepResult s = co_await c->open(local(server.port()), true);
    EXPECT_TRUE(s.ok()) << s.reply.to_string() << " " << s.detail;
    co_await c->hello();
    EXPECT_FALSE(c->capabilities().has_auth("PLAIN"));
    s = co_await c->authenticate("loginuser", "pw");
    EXPECT_TRUE(s.ok()) << s.reply.to_string();
    Envelope env6{"a@s.test", {"b@r.test"}};
    co_return co_await c->send(env6, kMessage);
  }());
  EXPECT_EQ(result.recipients[0].code(), 250);
  auto got = server.next_message();
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->tls);
  EXPECT_EQ(got->auth, "loginuser");
}

TEST_F(ConnectionTest, WrongPasswordIsRejectedNotFailed) {
  SmtpFixtureOptions o;
  o.implicit_tls = true;
  o.auth = "u:right";
  SmtpFixture server(o, cert_);
  auto c = connection();
  StepResult s = run_awaitable(io_, [&]() -> asio::awaitable<StepResult> {
    co_await c->open(local(server.port()), true);
    co_await c->hello();
    co_return co_await c->authenticate("u", "wrong");
  }());
  EXPECT_EQ(s.kind, StepResult::Kind::rejected);
  EXPECT_EQ(s.reply.code(), 535);
  EXPECT_TRUE(c->usable());
}

TEST_F(ConnectionTest, ConnectionRefusedIsConnectFailure) {
  uint16_t port;
  {
    tcp::acceptor probe(io_, local(0));
    port = probe.local_endpoint().port();
  }
  auto c = connection();
  StepResult s = run_awaitable(io_, c->open(local(port), false));
  EXPECT_EQ(s.kind, StepResult::Kind::failed);
  EXPECT_EQ(s.failure, StepResult::Failure::connect);
  EXPECT_EQ(s.reply.code(), 451);
  EXPECT_EQ(s.reply.status(), (EnhancedStatus{4, 4, 1}));
}

TEST_F(ConnectionTest, SilentServerTimesOutOnGreeting) {
  // A peer that accepts and never speaks.
  tcp::acceptor acceptor(io_, local(0));
  tcp::socket peer(io_);
  acceptor.async_accept(peer, [](boost::system::error_code) {});
  Timeouts t = short_timeouts();
  t.greeting = std::chrono::milliseconds(200);
  auto c = connection(t);
  const auto start = std::chrono::steady_clock::now();
  StepResult s = run_awaitable(io_, c->open(local(acceptor.local_endpoint().port()), false));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(s.kind, StepResult::Kind::failed);
  EXPECT_EQ(s.failure, StepResult::Failure::timeout);
  EXPECT_EQ(s.reply.status(), (EnhancedStatus{4, 4, 2}));
  EXPECT_FALSE(c->usable());
}

TEST_F(ConnectionTest, TlsHandshakeAgainstPlainServerFails) {
  SmtpFixture server;  // no TLS at all: implicit TLS cannot work
  Timeouts t = short_timeouts();
  t.tls_handshake = std::chrono::seconds(5);
  auto c = connection(t);
  StepResult s = run_awaitable(io_, c->open(local(server.port()), true));
  EXPECT_EQ(s.kind, StepResult::Kind::failed);
  EXPECT_EQ(s.failure, StepResult::Failure::tls);
  EXPECT_EQ(s.reply.status(), (EnhancedStatus{4, 7, 5}));
}

}  // namespace
}  // namespace postern::smtp::client
