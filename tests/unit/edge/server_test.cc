// The real I/O adapter (EdgeServer + Connection) on 127.0.0.1, port 0, with a fake
// Submitter and the real DirectoryVerifier, driven by a raw socket client.
#include "edge/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <thread>

#include "common/tls/context.h"
#include "edge/credential_verifier.h"
#include "edge/password.h"
#include "tests/unit/edge/smtp_client.h"
#include "tests/unit/edge/test_cert.h"

namespace postern::edge {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::SmtpClient;

class FakeSubmitter : public Submitter {
 public:
  boost::asio::awaitable<SubmitResult> submit(SubmitRequest request) override {
    std::lock_guard lock(mutex);
    requests.push_back(std::move(request));
    co_return result;
  }
  std::vector<SubmitRequest> taken() {
    std::lock_guard lock(mutex);
    return requests;
  }
  std::mutex mutex;
  std::vector<SubmitRequest> requests;
  SubmitResult result{true, "QFAKE1", ""};
};

config::Config make_config(const config::TlsFiles& tls) {
  config::Config c;
  c.internet.hostname = "mx.test";
  c.internet.local_domains = {"example.org"};
  c.edge.tls = tls;
  c.edge.limits.idle_timeout = std::chrono::seconds(2);
  c.edge.listeners = {
      {"mx", {"127.0.0.1", 0}, config::ListenerTls::starttls, config::ListenerAuth::optional},
      {"submissions", {"127.0.0.1", 0}, config::ListenerTls::implicit,
       config::ListenerAuth::required},
  };
  return c;
}

class EdgeServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tls_files_ = new config::TlsFiles(testing::make_test_certificate());
    alice_hash_ = new std::string(hash_password("s3cret"));
  }
  void SetUp() override {
    config_ = make_config(*tls_files_);
    config_.directory.users = {{"Alice", {"alice@example.org"}, *alice_hash_}};
    verifier_ = std::make_unique<DirectoryVerifier>(config_.directory);
    server_ = std::make_unique<EdgeServer>(config_, submitter_, *verifier_);
    server_->start();
  }
  void TearDown() override { server_->shutdown(std::chrono::steady_clock::now()); }

  boost::asio::ip::tcp::endpoint mx() const { return server_->endpoints().at(0); }
  boost::asio::ip::tcp::endpoint submissions() const { return server_->endpoints().at(1); }

  static config::TlsFiles* tls_files_;
  static std::string* alice_hash_;
  config::Config config_;
  FakeSubmitter submitter_;
  std::unique_ptr<DirectoryVerifier> verifier_;
  std::unique_ptr<EdgeServer> server_;
};
config::TlsFiles* EdgeServerTest::tls_files_ = nullptr;
std::string* EdgeServerTest::alice_hash_ = nullptr;

// The server context (common/tls) makes every session the listeners create release OpenSSL's
// record buffers while idle; Connection relies on it and sets nothing per session.
TEST(ServerTlsContext, SessionsReleaseIdleBuffers) {
  auto ctx = tls::make_server_context(testing::make_test_certificate());
  EXPECT_NE(SSL_CTX_get_mode(ctx.native_handle()) & SSL_MODE_RELEASE_BUFFERS, 0u);
  SSL* session = SSL_new(ctx.native_handle());
  ASSERT_NE(session, nullptr);
  EXPECT_NE(SSL_get_mode(session) & SSL_MODE_RELEASE_BUFFERS, 0u);
  SSL_free(session);
}

TEST_F(EdgeServerTest, PipelinedTransaction) {
  SmtpClient c(mx());
  EXPECT_EQ(c.reply(), "220 mx.test ESMTP Postern");
  c.send("EHLO client.test\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<u@example.org>\r\nDATA\r\n");
  EXPECT_THAT(c.reply(), AllOf(StartsWith("250-mx.test"), HasSubstr("250-PIPELINING"),
                               HasSubstr("STARTTLS"), Not(HasSubstr("AUTH"))));
  EXPECT_THAT(c.reply(), StartsWith("250 2.1.0"));
  EXPECT_THAT(c.reply(), StartsWith("250 2.1.5"));
  EXPECT_THAT(c.reply(), StartsWith("354"));
  c.send("Subject: t\r\n\r\nhello\r\n..dot\r\n.\r\nQUIT\r\n");
  EXPECT_EQ(c.reply(), "250 2.0.0 Ok: queued as QFAKE1");
  EXPECT_THAT(c.reply(), StartsWith("221 2.0.0"));
  EXPECT_TRUE(c.closed());
  auto taken = submitter_.taken();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].client.address, "127.0.0.1");
  EXPECT_THAT(taken[0].message, StartsWith("Received: from client.test ([127.0.0.1])\r\n"
                                           "\tby mx.test (Postern) with ESMTP id "));
  EXPECT_THAT(taken[0].message, HasSubstr("\r\nSubject: t\r\n\r\nhello\r\n.dot\r\n"));
}

TEST_F(EdgeServerTest, SmugglingOverTheWireQueuesNothing) {
  SmtpClient c(mx());
  c.reply();
  c.cmd("EHLO client.test");
  c.cmd("MAIL FROM:<s@remote.test>");
  c.cmd("RCPT TO:<u@example.org>");
  EXPECT_THAT(c.cmd("DATA"), StartsWith("354"));
  c.send("Subject: real\r\n\r\nx\n.\r\nMAIL FROM:<admin@example.org>\r\nRCPT TO:<v@example.org>\r\n"
         "DATA\r\nSubject: smuggled\r\n\r\n.\r\n");
  EXPECT_EQ(c.reply(), "550 5.6.11 Message contains bare CR or LF");
  EXPECT_THAT(c.cmd("NOOP"), StartsWith("250 2.0.0"));
  EXPECT_TRUE(submitter_.taken().empty());
}

TEST_F(EdgeServerTest, StarttlsDiscardsPipelinedPlaintext) {
  SmtpClient c(mx());
  c.reply();
  // A man in the middle appends a command after STARTTLS in the same packet.
  c.send("EHLO client.test\r\nSTARTTLS\r\nMAIL FROM:<injected@evil.test>\r\n");
  EXPECT_THAT(c.reply(), StartsWith("250-mx.test"));
  EXPECT_EQ(c.reply(), "220 2.0.0 Ready to start TLS");
  c.start_tls();
  // Were the injected MAIL processed, its reply (503: no EHLO) would come first.
  EXPECT_THAT(c.cmd("EHLO client.test"),
              AllOf(StartsWith("250-mx.test"), HasSubstr("AUTH PLAIN LOGIN"), Not(HasSubstr("STARTTLS"))));
  EXPECT_THAT(c.cmd("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHMzY3JldA=="), StartsWith("235 2.7.0"));
  EXPECT_THAT(c.cmd("MAIL FROM:<alice@example.org>"), StartsWith("250 2.1.0"));
  EXPECT_THAT(c.cmd("RCPT TO:<far@away.test>"), StartsWith("250 2.1.5"));  // authenticated relay
  EXPECT_THAT(c.cmd("DATA"), StartsWith("354"));
  EXPECT_THAT(c.cmd("x\r\n."), StartsWith("250 2.0.0"));
  auto taken = submitter_.taken();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_TRUE(taken[0].client.tls);
  EXPECT_EQ(taken[0].client.auth_user, "alice@example.org");
  EXPECT_THAT(taken[0].message, HasSubstr("with ESMTPSA id"));
  EXPECT_THAT(taken[0].message, HasSubstr("(version=TLSv1."));
}

TEST_F(EdgeServerTest, ImplicitTlsRequiresAuthAndRefusesBadPasswords) {
  SmtpClient c(submissions(), /*implicit_tls=*/true);
  EXPECT_EQ(c.reply(), "220 mx.test ESMTP Postern");
  EXPECT_THAT(c.cmd("EHLO client.test"), HasSubstr("AUTH PLAIN LOGIN"));
  EXPECT_THAT(c.cmd("MAIL FROM:<alice@example.org>"), StartsWith("530 5.7.0"));
  EXPECT_THAT(c.cmd("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHdyb25n"), StartsWith("535 5.7.8"));
  EXPECT_THAT(c.cmd("AUTH LOGIN"), StartsWith("334 VXNlcm5hbWU6"));
  EXPECT_THAT(c.cmd("YWxpY2VAZXhhbXBsZS5vcmc="), StartsWith("334 UGFzc3dvcmQ6"));
  EXPECT_THAT(c.cmd("czNjcmV0"), StartsWith("235 2.7.0"));
}

TEST_F(EdgeServerTest, RelayDeniedAndRouterFailure) {
  submitter_.result = SubmitResult{false, "", "router down"};
  SmtpClient c(mx());
  c.reply();
  c.cmd("EHLO client.test");
  c.cmd("MAIL FROM:<s@remote.test>");
  EXPECT_THAT(c.cmd("RCPT TO:<x@elsewhere.test>"), StartsWith("554 5.7.1"));
  c.cmd("RSET");
  EXPECT_THAT(c.cmd("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHMzY3JldA=="), StartsWith("538 5.7.11"));
  c.cmd("MAIL FROM:<s@remote.test>");
  c.cmd("RCPT TO:<u@example.org>");
  c.cmd("DATA");
  EXPECT_THAT(c.cmd("x\r\n."), StartsWith("451 4.3.0"));
}

TEST_F(EdgeServerTest, IdleTimeoutSends421) {
  SmtpClient c(mx());
  c.reply();
  // idle_timeout is 2 s: the next thing the server says is the timeout.
  EXPECT_THAT(c.reply(), StartsWith("421 4.4.2"));
  EXPECT_TRUE(c.closed());
}

TEST_F(EdgeServerTest, ShutdownDrainsThenSends421) {
  SmtpClient idle(mx());
  idle.reply();
  idle.cmd("EHLO client.test");
  SmtpClient busy(mx());
  busy.reply();
  busy.cmd("EHLO client.test");
  busy.cmd("MAIL FROM:<s@remote.test>");
  auto done = std::async(std::launch::async, [&] {
    server_->shutdown(std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
  });
  // Idle (no transaction): told at once. Busy: may finish until the deadline, then told.
  EXPECT_THAT(idle.reply(), StartsWith("421 4.3.2"));
  EXPECT_THAT(busy.cmd("RCPT TO:<u@example.org>"), StartsWith("250 2.1.5"));
  EXPECT_THAT(busy.reply(), StartsWith("421 4.3.2"));
  done.wait();
  EXPECT_EQ(server_->sessions(), 0u);
  EXPECT_ANY_THROW(SmtpClient late(mx()));  // no longer accepting
}

}  // namespace
}  // namespace postern::edge
