#include "router/dsn.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "router/clock.h"

namespace postern::router {
namespace {

SysTime at(int64_t unix_seconds) { return from_unix_ms(unix_seconds * 1000); }

DsnInput sample() {
  DsnInput in;
  in.reporting_mta = "mx.postern.test";
  in.dsn_id = "0123456789abcdefghi";
  in.original_queue_id = "0000000000000000001";
  in.original_sender = "alice@sender.test";
  in.arrival = at(1'700'000'000);  // Tue, 14 Nov 2023 22:13:20 +0000
  in.now = at(1'700'000'100);
  in.original_headers = "From: alice@sender.test\r\nSubject: hi\r\nMessage-ID: <m1@sender.test>\r\n";
  DsnRecipient r;
  r.address = "nobody@remote.test";
  r.status = "5.1.1";
  r.diagnostic = "550 5.1.1 No such user";
  r.remote_mta = "mx.remote.test";
  r.last_attempt = at(1'700'000'050);
  in.recipients.push_back(r);
  return in;
}

TEST(Rfc5322Date, Utc) {
  EXPECT_EQ(rfc5322_date(at(1'700'000'000)), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(rfc5322_date(at(0)), "Thu, 01 Jan 1970 00:00:00 +0000");
}

TEST(BuildDsn, ExactOutputForOneRecipient) {
  const std::string expected =
      "From: Mail Delivery System <MAILER-DAEMON@mx.postern.test>\r\n"
      "To: <alice@sender.test>\r\n"
      "Subject: Undelivered Mail Returned to Sender\r\n"
      "Date: Tue, 14 Nov 2023 22:15:00 +0000\r\n"
      "Message-ID: <0123456789abcdefghi@mx.postern.test>\r\n"
      "Auto-Submitted: auto-replied\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=delivery-status;\r\n"
      "\tboundary=\"0123456789abcdefghi/report\"\r\n"
      "\r\n"
      "This is a MIME-encapsulated message.\r\n"
      "\r\n"
      "--0123456789abcdefghi/report\r\n"
      "Content-Description: Notification\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "\r\n"
      "This is the mail system at host mx.postern.test.\r\n"
      "\r\n"
      "Your message could not be delivered to one or more recipients.\r\n"
      "It is attached below (headers only).\r\n"
      "\r\n"
      "<nobody@remote.test>: 550 5.1.1 No such user (from mx.remote.test)\r\n"
      "\r\n"
      "--0123456789abcdefghi/report\r\n"
      "Content-Description: Delivery report\r\n"
      "Content-Type: message/delivery-status\r\n"
      "\r\n"
      "Reporting-MTA: dns; mx.postern.test\r\n"
      "X-Postern-Queue-ID: 0000000000000000001\r\n"
      "Arrival-Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
      "\r\n"
      "Final-Recipient: rfc822; nobody@remote.test\r\n"
      "Action: failed\r\n"
      "Status: 5.1.1\r\n"
      "Remote-MTA: dns; mx.remote.test\r\n"
      "Diagnostic-Code: smtp; 550 5.1.1 No such user\r\n"
      "Last-Attempt-Date: Tue, 14 Nov 2023 22:14:10 +0000\r\n"
      "\r\n"
      "--0123456789abcdefghi/report\r\n"
      "Content-Description: Undelivered Message Headers\r\n"
      "Content-Type: text/rfc822-headers\r\n"
      "\r\n"
      "From: alice@sender.test\r\n"
      "Subject: hi\r\n"
      "Message-ID: <m1@sender.test>\r\n"
      "\r\n"
      "--0123456789abcdefghi/report--\r\n";
  const Dsn dsn = build_dsn(sample());
  EXPECT_EQ(dsn.message, expected);
  EXPECT_FALSE(dsn.eight_bit);
  EXPECT_FALSE(dsn.smtputf8);
}

TEST(BuildDsn, LocalFailureHasNoRemoteMtaAndAnXDiagnostic) {
  DsnInput in = sample();
  in.recipients[0].remote_mta.clear();
  in.recipients[0].status = "5.1.2";
  in.recipients[0].diagnostic = "550 5.1.2 No route to the recipient's domain";
  in.recipients[0].last_attempt = {};
  in.original_envid = "env-1";
  const std::string m = build_dsn(in).message;
  EXPECT_EQ(m.find("Remote-MTA:"), std::string::npos);
  EXPECT_EQ(m.find("Last-Attempt-Date:"), std::string::npos);
  EXPECT_NE(m.find("Diagnostic-Code: X-Postern; 550 5.1.2 No route"), std::string::npos);
  EXPECT_NE(m.find("Original-Envelope-Id: env-1\r\n"), std::string::npos);
}

TEST(BuildDsn, SeveralRecipientsEachGetABlock) {
  DsnInput in = sample();
  DsnRecipient expired;
  expired.address = "late@remote.test";
  expired.status = "4.4.7";
  expired.diagnostic = "451 4.4.1 Connection timed out";
  in.recipients.push_back(expired);
  const std::string m = build_dsn(in).message;
  EXPECT_NE(m.find("Final-Recipient: rfc822; nobody@remote.test\r\nAction: failed\r\nStatus: 5.1.1"),
            std::string::npos);
  EXPECT_NE(m.find("Final-Recipient: rfc822; late@remote.test\r\nAction: failed\r\nStatus: 4.4.7"),
            std::string::npos);
}

TEST(BuildDsn, UntrustedInputCannotBreakTheStructure) {
  DsnInput in = sample();
  // A remote reply with control characters and 8-bit text; headers that contain the
  // predictable boundary, bare LF line ends and a bare CR.
  in.recipients[0].diagnostic = std::string("550 5.1.1 bad\x01\x7f \xc3\xa9t\xc3\xa9");
  const std::string headers =
      "Subject: x\n--0123456789abcdefghi/report\nX-Evil: a\rb\n";
  in.original_headers = headers;
  const Dsn dsn = build_dsn(in);
  EXPECT_NE(dsn.message.find("Diagnostic-Code: smtp; 550 5.1.1 bad?? ??t??\r\n"),
            std::string::npos);
  EXPECT_NE(dsn.message.find("boundary=\"0123456789abcdefghi/report=\""), std::string::npos);
  EXPECT_NE(dsn.message.find("Subject: x\r\n--0123456789abcdefghi/report\r\nX-Evil: ab\r\n"),
            std::string::npos);
  // No bare CR or LF anywhere.
  for (std::size_t i = 0; i < dsn.message.size(); ++i) {
    if (dsn.message[i] == '\n') {
      ASSERT_TRUE(i > 0 && dsn.message[i - 1] == '\r') << i;
    }
    if (dsn.message[i] == '\r') {
      ASSERT_TRUE(i + 1 < dsn.message.size() && dsn.message[i + 1] == '\n') << i;
    }
  }
}

TEST(BuildDsn, CopiedHeadersAreCappedAtALineBoundary) {
  DsnInput in = sample();
  std::string big;
  for (int i = 0; big.size() < 2 * kDsnMaxCopiedHeaderBytes; ++i) {
    big += "X-Filler-" + std::to_string(i) + ": " + std::string(60, 'a') + "\r\n";
  }
  in.original_headers = big;
  const std::string m = build_dsn(in).message;
  EXPECT_LT(m.size(), kDsnMaxCopiedHeaderBytes + 4096);
  const auto part = m.find("Content-Type: text/rfc822-headers\r\n\r\n");
  ASSERT_NE(part, std::string::npos);
  EXPECT_NE(m.find("\r\n\r\n--0123456789abcdefghi/report--\r\n"), std::string::npos);
}

TEST(BuildDsn, Utf8AddressesUseTheUtf8AddressType) {
  DsnInput in = sample();
  in.recipients[0].address = "j\xc3\xb6rg@remote.test";
  in.original_headers = "Subject: gr\xc3\xbc\xc3\x9f""e\r\n";
  const Dsn dsn = build_dsn(in);
  EXPECT_TRUE(dsn.smtputf8);
  EXPECT_TRUE(dsn.eight_bit);
  EXPECT_NE(dsn.message.find("Final-Recipient: utf-8; j\xc3\xb6rg@remote.test\r\n"), std::string::npos);
  EXPECT_NE(dsn.message.find("Content-Transfer-Encoding: 8bit\r\n"), std::string::npos);
}

// An independent reader: Python's email package must see a multipart/report with the three
// parts and the per-recipient fields.
TEST(BuildDsn, ParsesWithPythonEmail) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/python3")) << "scripts/install-deps installs python3";
  DsnInput in = sample();
  DsnRecipient second;
  second.address = "late@remote.test";
  second.status = "4.4.7";
  second.diagnostic = "451 4.4.1 timeout";
  in.recipients.push_back(second);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("postern-dsn-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto eml = dir / "dsn.eml";
  const auto script = dir / "check.py";
  std::ofstream(eml, std::ios::binary) << build_dsn(in).message;
  std::ofstream(script) << R"(import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
assert m.get_content_type() == 'multipart/report', m.get_content_type()
assert m.get_param('report-type') == 'delivery-status'
parts = m.get_payload()
assert [p.get_content_type() for p in parts] == ['text/plain', 'message/delivery-status', 'text/rfc822-headers'], [p.get_content_type() for p in parts]
blocks = parts[1].get_payload()
assert len(blocks) == 3, len(blocks)
assert blocks[0]['Reporting-MTA'] == 'dns; mx.postern.test'
assert blocks[1]['Final-Recipient'] == 'rfc822; nobody@remote.test'
assert blocks[1]['Status'] == '5.1.1'
assert blocks[1]['Diagnostic-Code'] == 'smtp; 550 5.1.1 No such user'
assert blocks[2]['Status'] == '4.4.7'
assert '<m1@sender.test>' in parts[2].get_content()
assert m['Auto-Submitted'] == 'auto-replied'
assert not m.defects, m.defects
)";
  const std::string command = "/usr/bin/python3 " + script.string() + " " + eml.string();
  const int rc = std::system(command.c_str());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(rc, 0) << command;
}

}  // namespace
}  // namespace postern::router
