#include "edge/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/edge/dialog.h"

namespace postern::edge {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::Dialog;
using testing::default_settings;

constexpr const char* kPlainAlice = "AGFsaWNlQGV4YW1wbGUub3JnAHMzY3JldA==";
constexpr const char* kPlainWrong = "AGFsaWNlQGV4YW1wbGUub3JnAHdyb25n";

// Dialog after EHLO on the MX listener (STARTTLS offered, TLS not up).
Dialog greeted(SessionSettings s = default_settings()) {
  Dialog d(std::move(s));
  d.connect();
  d.send("EHLO client.example");
  return d;
}

TEST(Session, GreetingAndEhloAdvertiseExtensions) {
  Dialog d;
  EXPECT_EQ(d.connect(), "220 mx.example.org ESMTP Postern");
  const std::string ehlo = d.send("EHLO client.example");
  EXPECT_EQ(ehlo, "250 mx.example.org PIPELINING SIZE 10000 8BITMIME SMTPUTF8 "
                  "ENHANCEDSTATUSCODES CHUNKING STARTTLS");
  // After STARTTLS: no STARTTLS, but AUTH.
  d.cmd("STARTTLS", "220 2.0.0 Ready to start TLS");
  EXPECT_EQ(d.tls_handshakes, 1);
  EXPECT_EQ(d.send("EHLO client.example"),
            "250 mx.example.org PIPELINING SIZE 10000 8BITMIME SMTPUTF8 ENHANCEDSTATUSCODES "
            "CHUNKING AUTH PLAIN LOGIN");
}

TEST(Session, EhloWireFormHasNoEnhancedCodes) {
  Dialog d;
  d.connect();
  smtp::codec::LineReader r;
  auto step = d.session().on_line(*r.feed("EHLO a.example\r\n").event);
  ASSERT_EQ(step.replies.size(), 1u);
  EXPECT_THAT(step.replies[0].wire(), StartsWith("250-mx.example.org\r\n250-PIPELINING\r\n"));
  EXPECT_THAT(step.replies[0].wire(), HasSubstr("250 STARTTLS\r\n"));
}

TEST(Session, NoAuthAdvertisedWhenListenerHasNone) {
  auto s = default_settings();
  s.auth = config::ListenerAuth::none;
  Dialog d = greeted(s);
  d.cmd("STARTTLS", "220 2.0.0");
  EXPECT_THAT(d.send("EHLO c.example"), Not(HasSubstr("AUTH")));
  d.cmd("AUTH PLAIN " + std::string(kPlainAlice), "503 5.5.1");
}

TEST(Session, PlainListenerOffersNeitherStarttlsNorAuth) {
  auto s = default_settings();
  s.tls = config::ListenerTls::none;
  s.auth = config::ListenerAuth::none;
  Dialog d(s);
  d.connect();
  const std::string ehlo = d.send("EHLO c.example");
  EXPECT_THAT(ehlo, Not(HasSubstr("STARTTLS")));
  EXPECT_THAT(ehlo, Not(HasSubstr("AUTH")));
  d.cmd("STARTTLS", "502 5.5.1");
}

TEST(Session, HeloWorksToo) {
  Dialog d;
  d.connect();
  EXPECT_EQ(d.send("HELO client.example"), "250 mx.example.org");
  d.cmd("MAIL FROM:<a@remote.example>", "250 2.1.0");
}

TEST(Session, SimpleCommands) {
  Dialog d = greeted();
  d.cmd("NOOP", "250 2.0.0");
  d.cmd("RSET", "250 2.0.0");
  d.cmd("VRFY someone", "252 2.5.0");
  d.cmd("HELP", "214 2.0.0");
  d.cmd("QUIT", "221 2.0.0");
  EXPECT_EQ(d.next(), Next::close);
}

TEST(Session, SequenceErrors) {
  Dialog d;
  d.connect();
  d.cmd("MAIL FROM:<a@remote.example>", "503 5.5.1");
  d.send("EHLO c.example");
  d.cmd("RCPT TO:<u@example.org>", "503 5.5.1");
  d.cmd("DATA", "503 5.5.1");
  d.cmd("MAIL FROM:<a@remote.example>", "250 2.1.0");
  d.cmd("MAIL FROM:<a@remote.example>", "503 5.5.1");
  d.cmd("DATA", "554 5.5.1");
}

TEST(Session, FullTransactionWithReceivedHeader) {
  Dialog d = greeted();
  d.cmd("MAIL FROM:<sender@remote.example> SIZE=100 BODY=8BITMIME", "250 2.1.0");
  d.cmd("RCPT TO:<User@Example.ORG>", "250 2.1.5");
  d.cmd("DATA", "354");
  EXPECT_EQ(d.next(), Next::read_body);
  d.body("Subject: hi\r\n\r\n..dot\r\nbody\r\n.\r\n", "250 2.0.0 Ok: queued as Q42");
  ASSERT_EQ(d.submissions.size(), 1u);
  const SubmitRequest& m = d.submissions[0];
  EXPECT_EQ(m.mail_from, "sender@remote.example");
  EXPECT_EQ(m.recipients, std::vector<std::string>{"User@example.org"});
  EXPECT_EQ(m.body, smtp::codec::BodyType::eight_bit_mime);
  EXPECT_EQ(m.client.address, "192.0.2.7");
  EXPECT_EQ(m.client.helo, "client.example");
  EXPECT_FALSE(m.client.tls);
  EXPECT_EQ(m.client.listener, "mx");
  EXPECT_EQ(m.transaction_id, "S1X1");
  EXPECT_EQ(m.message,
            "Received: from client.example ([192.0.2.7])\r\n"
            "\tby mx.example.org (Postern) with ESMTP id S1X1\r\n"
            "\tfor <User@example.org>;\r\n"
            "\tWed, 03 Jul 2024 09:46:40 +0000\r\n"
            "Subject: hi\r\n\r\n.dot\r\nbody\r\n");
  // The session is ready for the next transaction, with a new id.
  d.cmd("MAIL FROM:<>", "250 2.1.0");
  d.cmd("RCPT TO:<a@example.org>", "250 2.1.5");
  d.cmd("RCPT TO:<b@example.net>", "250 2.1.5");
  d.cmd("DATA", "354");
  d.body(".\r\n", "250 2.0.0");
  ASSERT_EQ(d.submissions.size(), 2u);
  EXPECT_EQ(d.submissions[1].transaction_id, "S1X2");
  EXPECT_EQ(d.submissions[1].mail_from, "");
  EXPECT_THAT(d.submissions[1].message, Not(HasSubstr("\tfor <")));  // two recipients
}

TEST(Session, RouterFailureIs451NeverA250) {
  Dialog d = greeted();
  d.router_result = SubmitResult{false, "", "UNAVAILABLE"};
  d.cmd("MAIL FROM:<s@remote.example>", "250");
  d.cmd("RCPT TO:<u@example.org>", "250");
  d.cmd("DATA", "354");
  EXPECT_EQ(d.body("x\r\n.\r\n"), "451 4.3.0 Temporary failure: message not queued, try again later");
  d.cmd("RCPT TO:<u@example.org>", "503 5.5.1");  // the transaction is over
}

TEST(Session, RelayRule) {
  Dialog d = greeted();
  d.cmd("MAIL FROM:<s@remote.example>", "250");
  d.cmd("RCPT TO:<victim@elsewhere.example>", "554 5.7.1 Relay access denied");
  d.cmd("RCPT TO:<u@[192.0.2.1]>", "554 5.7.1");
  d.cmd("RCPT TO:<u%elsewhere.example@example.org>", "554 5.7.1");
  d.cmd("RCPT TO:<u@example.org.>", "250 2.1.5");
  d.cmd("RCPT TO:<postmaster>", "250 2.1.5");
  d.cmd("DATA", "354");
  d.body(".\r\n", "250");
  EXPECT_EQ(d.submissions.at(0).recipients,
            (std::vector<std::string>{"u@example.org", "postmaster@example.org"}));
}

TEST(Session, AuthenticatedUsersMayRelay) {
  Dialog d = greeted();
  d.cmd("STARTTLS", "220 2.0.0");
  d.send("EHLO c.example");
  d.cmd("AUTH PLAIN " + std::string(kPlainAlice), "235 2.7.0");
  ASSERT_EQ(d.credentials_seen.size(), 1u);
  EXPECT_EQ(d.credentials_seen[0].username, "alice@example.org");
  d.cmd("MAIL FROM:<alice@example.org>", "250");
  d.cmd("RCPT TO:<friend@elsewhere.example>", "250 2.1.5");
  d.cmd("DATA", "354");
  d.body("x\r\n.\r\n", "250");
  const SubmitRequest& m = d.submissions.at(0);
  EXPECT_EQ(m.client.auth_user, "alice@example.org");
  EXPECT_TRUE(m.client.tls);
  EXPECT_THAT(m.message, HasSubstr("with ESMTPSA id"));
  EXPECT_THAT(m.message, HasSubstr("\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256)\r\n"));
}

TEST(Session, AuthRefusedBeforeTls) {
  Dialog d = greeted();
  d.cmd("AUTH PLAIN " + std::string(kPlainAlice), "538 5.7.11");
  EXPECT_TRUE(d.credentials_seen.empty());
}

TEST(Session, AuthPlainContinuationLoginAndCancel) {
  Dialog d = greeted();
  d.cmd("STARTTLS", "220");
  d.send("EHLO c.example");
  d.cmd("AUTH PLAIN", "334");
  EXPECT_TRUE(d.session().expects_auth_response());
  d.cmd("*", "501 5.0.0");
  d.cmd("AUTH LOGIN", "334 VXNlcm5hbWU6");
  d.cmd("YWxpY2VAZXhhbXBsZS5vcmc=", "334 UGFzc3dvcmQ6");
  d.cmd("d3Jvbmc=", "535 5.7.8");
  d.cmd("AUTH LOGIN YWxpY2VAZXhhbXBsZS5vcmc=", "334 UGFzc3dvcmQ6");
  d.cmd("czNjcmV0", "235 2.7.0");
  d.cmd("AUTH PLAIN " + std::string(kPlainAlice), "503 5.5.1");  // already authenticated
}

TEST(Session, AuthErrors) {
  Dialog d = greeted();
  d.cmd("STARTTLS", "220");
  d.send("EHLO c.example");
  d.cmd("AUTH CRAM-MD5", "504 5.5.4");
  d.cmd("AUTH PLAIN not-base64!", "501 5.5.2");
  d.cmd("AUTH PLAIN " + std::string(kPlainWrong), "535 5.7.8");
  d.cmd("AUTH PLAIN Ym9iAGFsaWNlQGV4YW1wbGUub3JnAHMzY3JldA==", "535 5.7.8");  // other authzid
  EXPECT_EQ(d.credentials_seen.size(), 1u);  // the malformed ones never reach the verifier
}

TEST(Session, SubmissionRequiresAuthBeforeMail) {
  auto s = default_settings();
  s.listener = "submission";
  s.auth = config::ListenerAuth::required;
  Dialog d = greeted(s);
  d.cmd("MAIL FROM:<alice@example.org>", "530 5.7.0");
  d.cmd("STARTTLS", "220");
  d.send("EHLO c.example");
  d.cmd("MAIL FROM:<alice@example.org>", "530 5.7.0");
  d.cmd("AUTH PLAIN " + std::string(kPlainAlice), "235");
  d.cmd("MAIL FROM:<alice@example.org>", "250 2.1.0");
}

TEST(Session, StarttlsForgetsEverything) {
  Dialog d = greeted();
  d.cmd("MAIL FROM:<s@remote.example>", "250");
  d.cmd("STARTTLS", "220 2.0.0");
  // Pre-TLS EHLO and transaction are gone.
  d.cmd("MAIL FROM:<s@remote.example>", "503 5.5.1");
  d.cmd("STARTTLS", "503 5.5.1");
  d.send("EHLO c.example");
  d.cmd("MAIL FROM:<s@remote.example>", "250");
}

TEST(Session, ImplicitTlsListener) {
  auto s = default_settings();
  s.tls = config::ListenerTls::implicit;
  s.auth = config::ListenerAuth::required;
  Dialog d(s);
  d.connect("version=TLSv1.3 cipher=X bits=1/1");
  EXPECT_THAT(d.send("EHLO c.example"), AllOf(HasSubstr("AUTH PLAIN LOGIN"), Not(HasSubstr("STARTTLS"))));
  d.cmd("STARTTLS", "503 5.5.1");
  d.cmd("AUTH PLAIN " + std::string(kPlainAlice), "235");
}

TEST(Session, Limits) {
  Dialog d = greeted();
  d.cmd("MAIL FROM:<s@remote.example> SIZE=10001", "552 5.3.4");
  d.cmd("MAIL FROM:<s@remote.example> SIZE=10000", "250");
  d.cmd("RCPT TO:<a@example.org>", "250");
  d.cmd("RCPT TO:<b@example.org>", "250");
  d.cmd("RCPT TO:<c@example.org>", "250");
  d.cmd("RCPT TO:<d@example.org>", "452 4.5.3");
  d.cmd("DATA", "354");
  // Actual size over the limit: refused at the real end, session still in sync.
  const std::string big = std::string(6000, 'x') + "\r\n" + std::string(6000, 'y') + "\r\n.\r\n";
  d.body(big + "NOOP\r\n", "552 5.3.4");
  EXPECT_EQ(d.leftover(), "NOOP\r\n");
  EXPECT_TRUE(d.submissions.empty());
}

TEST(Session, SmugglingIsRefusedAndNothingIsInjected) {
  Dialog d = greeted();
  d.cmd("MAIL FROM:<s@remote.example>", "250");
  d.cmd("RCPT TO:<u@example.org>", "250");
  d.cmd("DATA", "354");
  const std::string smuggled =
      "Subject: real\r\n\r\nhi\n.\r\nMAIL FROM:<admin@example.org>\r\n"
      "RCPT TO:<victim@example.org>\r\nDATA\r\nSubject: fake\r\n\r\n.\r\nQUIT\r\n";
  EXPECT_EQ(d.body(smuggled), "550 5.6.11 Message contains bare CR or LF");
  EXPECT_EQ(d.leftover(), "QUIT\r\n");
  EXPECT_TRUE(d.submissions.empty());
}

TEST(Session, LineErrorsAndErrorLimit) {
  Dialog d = greeted();  // error_limit 5
  d.cmd("FOO", "500 5.5.2");
  d.cmd("BAR", "500 5.5.2");
  smtp::codec::LineReader r;
  auto bare = r.feed("NOOP\nQUIT\r\n").event;
  auto step = d.session().on_line(*bare);
  EXPECT_EQ(step.replies.at(0).to_string().substr(0, 9), "500 5.5.2");
  auto too_long = r.feed(std::string(1200, 'x') + "\r\n").event;
  step = d.session().on_line(*too_long);
  EXPECT_EQ(step.replies.at(0).to_string().substr(0, 9), "500 5.5.6");
  EXPECT_THAT(d.send("BAZ"), AllOf(StartsWith("500 5.5.2"), HasSubstr(" | 421 4.7.0")));
  EXPECT_EQ(d.next(), Next::close);
}

TEST(Session, TimeoutAndShutdown) {
  Dialog a = greeted();
  auto t = a.session().on_timeout();
  EXPECT_EQ(t.replies.at(0).to_string().substr(0, 9), "421 4.4.2");
  EXPECT_TRUE(t.replies.at(0).disconnect());
  EXPECT_EQ(t.next, Next::close);
  Dialog b = greeted();
  auto s = b.session().on_shutdown();
  EXPECT_EQ(s.replies.at(0).to_string().substr(0, 9), "421 4.3.2");
  EXPECT_EQ(s.next, Next::close);
}

TEST(Session, BdatChunks) {
  Dialog d = greeted();
  d.cmd("MAIL FROM:<s@remote.example>", "250");
  d.cmd("RCPT TO:<u@example.org>", "250");
  d.cmd("BDAT 14", "");
  EXPECT_EQ(d.next(), Next::read_body);
  d.body("Subject: x\r\n\r\n", "250 2.0.0 14 octets received");
  d.cmd("DATA", "503 5.5.1");
  d.cmd("BDAT 9 LAST", "");
  d.body(".\r\nbody\r\nQUIT\r\n", "250 2.0.0 Ok: queued as Q42");
  EXPECT_EQ(d.leftover(), "QUIT\r\n");
  ASSERT_EQ(d.submissions.size(), 1u);
  EXPECT_THAT(d.submissions[0].message, HasSubstr("\r\nSubject: x\r\n\r\n.\r\nbody\r\n"));
}

TEST(Session, BdatRefusedStillConsumesItsChunk) {
  Dialog d = greeted();
  d.cmd("BDAT 10", "");  // no transaction: the 10 octets are read, then refused
  EXPECT_EQ(d.next(), Next::read_body);
  d.body("MAIL FROM:NOOP\r\n", "503 5.5.1");
  EXPECT_EQ(d.leftover(), "NOOP\r\n");
  d.cmd("BDAT 0 LAST", "503 5.5.1");
}

TEST(Session, BdatOversizeRefusedEarly) {
  Dialog d = greeted();
  d.cmd("MAIL FROM:<s@remote.example>", "250");
  d.cmd("RCPT TO:<u@example.org>", "250");
  d.cmd("BDAT 10001", "");
  d.body(std::string(10001, 'a'), "552 5.3.4");
  d.cmd("BDAT 5 LAST", "");
  d.body("abcde", "503 5.5.1");
  EXPECT_TRUE(d.submissions.empty());
}

TEST(Session, Smtputf8Transaction) {
  Dialog d = greeted();
  d.cmd("MAIL FROM:<j\xc3\xb6rg@remote.example>", "553 5.6.7");
  d.cmd("MAIL FROM:<j\xc3\xb6rg@remote.example> SMTPUTF8", "250");
  d.cmd("RCPT TO:<b\xc3\xa9" "a@example.org>", "250");
  d.cmd("DATA", "354");
  d.body(".\r\n", "250");
  EXPECT_TRUE(d.submissions.at(0).smtputf8);
}

}  // namespace
}  // namespace postern::edge
