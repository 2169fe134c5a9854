// Sender authentication in the session (issue 4), as scripted dialogues with fake verdicts:
// SPF started at MAIL FROM, authentication at end of DATA, the header fields written, the
// actions (tag, 550 5.7.x, 451 4.7.x), forged fields removed, and who is not checked.
#include <gtest/gtest.h>

#include "auth_dialog.h"

namespace postern::edge::testing {
namespace {

namespace dkim = mailauth::dkim;
namespace dmarc = mailauth::dmarc;

const std::string kMessage =
    "From: Alice <a@sender.test>\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nhello\r\n";

spf::Verdict spf_verdict(spf::Result r, spf::Identity id = spf::Identity::mailfrom,
                         std::string domain = "sender.test") {
  spf::Verdict v;
  v.result = r;
  v.identity = id;
  v.domain = domain;
  v.sender = id == spf::Identity::mailfrom ? "a@" + domain : "postmaster@" + domain;
  v.mechanism = r == spf::Result::pass ? "ip4:192.0.2.0/24" : "-all";
  if (r == spf::Result::temperror) v.problem = "DNS timeout";
  return v;
}

dkim::SignatureResult signature(dkim::Result r, std::string d = "sender.test") {
  dkim::SignatureResult s;
  s.result = r;
  s.reason = r == dkim::Result::pass ? "ok" : "body hash mismatch";
  s.domain = std::move(d);
  s.selector = "sel";
  s.algorithm = "rsa-sha256";
  s.b_prefix = "abcdefgh";
  return s;
}

dmarc::Evaluation dmarc_eval(dmarc::Result r, dmarc::Policy requested = dmarc::Policy::none,
                             dmarc::Policy apply = dmarc::Policy::none) {
  dmarc::Evaluation e;
  e.result = r;
  e.from_domain = "sender.test";
  e.org_domain = "sender.test";
  e.policy_domain = "sender.test";
  e.disposition.requested = requested;
  e.disposition.apply = apply;
  e.reason = "test";
  return e;
}

inbound::Iprev iprev_pass() { return {inbound::Iprev::Result::pass, "client.sender.test", ""}; }

inbound::Verdicts all_pass() {
  inbound::Verdicts v;
  v.spf = spf_verdict(spf::Result::pass);
  v.spf_helo = spf_verdict(spf::Result::pass, spf::Identity::helo, "client.sender.test");
  v.dkim = std::vector<dkim::SignatureResult>{signature(dkim::Result::pass)};
  v.dmarc = dmarc_eval(dmarc::Result::pass);
  v.dmarc_inputs.from_domain = "sender.test";
  v.iprev = iprev_pass();
  return v;
}

// Whether `needle` occurs in `haystack` with its header fields unfolded (CRLF HTAB -> SP).
bool has(const std::string& haystack, const std::string& needle) {
  std::string unfolded;
  for (std::size_t i = 0; i < haystack.size(); ++i) {
    if (haystack.compare(i, 3, "\r\n\t") == 0) {
      unfolded += ' ';
      i += 2;
    } else {
      unfolded += haystack[i];
    }
  }
  return unfolded.find(needle) != std::string::npos;
}

TEST(InboundSession, SpfStartsAtMailFromAndResultsAreWrittenAtTheTop) {
  AuthDialog d;
  d.verdicts = all_pass();
  d.connect();
  EXPECT_EQ(d.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  ASSERT_EQ(d.spf_starts.size(), 1u);
  EXPECT_TRUE(d.spf_starts[0].mail_from_identity);
  EXPECT_TRUE(d.spf_starts[0].helo_identity);
  EXPECT_EQ(d.spf_starts[0].mail_from, "a@sender.test");
  EXPECT_EQ(d.spf_starts[0].helo, "client.sender.test");
  ASSERT_EQ(d.auth_requests.size(), 1u);
  EXPECT_EQ(d.auth_messages[0], kMessage) << "DKIM sees the message as sent, without our Received";
  EXPECT_EQ(d.auth_requests[0].client_ip, "192.0.2.7");
  EXPECT_TRUE(d.auth_requests[0].plan.dkim && d.auth_requests[0].plan.dmarc &&
              d.auth_requests[0].plan.iprev);

  ASSERT_EQ(d.submissions.size(), 1u);
  const std::string& m = d.submissions[0].message;
  EXPECT_TRUE(m.starts_with("Authentication-Results: mx.example.org; spf=pass")) << m;
  EXPECT_TRUE(has(m, "smtp.mailfrom=a@sender.test")) << m;
  EXPECT_TRUE(has(m, "spf=pass smtp.helo=client.sender.test")) << m;
  EXPECT_TRUE(has(m, "dkim=pass header.d=sender.test header.s=sel")) << m;
  EXPECT_TRUE(has(m, "dmarc=pass header.from=sender.test")) << m;
  EXPECT_TRUE(has(m, "iprev=pass policy.iprev=192.0.2.7")) << m;
  EXPECT_TRUE(has(m, "\r\nReceived-SPF: pass")) << m;
  EXPECT_FALSE(has(m, "X-Postern-Quarantine")) << m;
  // Order: our fields, then our Received, then the message as sent.
  const auto received = m.find("\r\nReceived: from client.sender.test");
  ASSERT_NE(received, std::string::npos) << m;
  EXPECT_LT(m.find("Received-SPF"), received);
  EXPECT_TRUE(m.ends_with(kMessage));
  ASSERT_EQ(d.submissions[0].dmarc_evaluations.size(), 1u);
  EXPECT_TRUE(has(d.submissions[0].dmarc_evaluations[0], "\"header_from\":\"sender.test\""));
  EXPECT_TRUE(has(d.submissions[0].dmarc_evaluations[0], "\"source_ip\":\"192.0.2.7\""));
  EXPECT_TRUE(has(d.submissions[0].dmarc_evaluations[0], "\"time\":1720000000"));
}

TEST(InboundSession, NullSenderChecksThePostmasterOfHelo) {
  AuthDialog d;
  d.verdicts = all_pass();
  d.connect();
  EXPECT_EQ(d.transaction(kMessage, ""), "250 2.0.0 Ok: queued as Q42");
  ASSERT_EQ(d.spf_starts.size(), 1u);
  EXPECT_EQ(d.spf_starts[0].mail_from, "") << "check_mail_from uses postmaster@HELO for <>";
  EXPECT_EQ(d.spf_starts[0].helo, "client.sender.test");
}

TEST(InboundSession, ForgedResultsWithOurIdAreRemovedOthersKept) {
  AuthDialog d;
  d.verdicts = all_pass();
  d.connect();
  const std::string forged =
      "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=a@sender.test\r\n"
      "Authentication-Results: other.example; dkim=pass header.d=sender.test\r\n"
      "X-Postern-Quarantine: no\r\n" + kMessage;
  EXPECT_EQ(d.transaction(forged), "250 2.0.0 Ok: queued as Q42");
  ASSERT_EQ(d.submissions.size(), 1u);
  const std::string& m = d.submissions[0].message;
  EXPECT_TRUE(has(m, "Authentication-Results: other.example; dkim=pass")) << m;
  EXPECT_FALSE(has(m, "X-Postern-Quarantine")) << m;
  // Exactly one A-R with our id: the one we wrote.
  EXPECT_EQ(m.find("Authentication-Results: mx.example.org"),
            m.rfind("Authentication-Results: mx.example.org"));
  EXPECT_EQ(d.auth_messages[0].find("mx.example.org"), std::string::npos)
      << "verifiers see the cleaned message";
}

TEST(InboundSession, SpfFailRejectIs550_5_7_23AndTheTransactionEnds) {
  auto settings = auth_settings();
  settings.inbound->spf.on_fail = config::AuthAction::reject;
  AuthDialog d(settings);
  d.verdicts = all_pass();
  d.verdicts.spf = spf_verdict(spf::Result::fail);
  d.verdicts.dmarc = dmarc_eval(dmarc::Result::pass);
  d.connect();
  const std::string reply = d.transaction(kMessage);
  EXPECT_TRUE(reply.starts_with("550 5.7.23 SPF validation failed: sender.test")) << reply;
  EXPECT_TRUE(d.submissions.empty());
  ASSERT_EQ(d.dmarc_recorded.size(), 1u) << "a refused message's DMARC evaluation is recorded";
  EXPECT_EQ(d.dmarc_recorded[0].size(), 1u);
  d.cmd("RCPT TO:<bob@example.org>", "503 5.5.1");
  d.cmd("MAIL FROM:<a@sender.test>", "250 2.1.0");
}

TEST(InboundSession, SpfHeloFailRejectsToo) {
  auto settings = auth_settings();
  settings.inbound->spf.on_fail = config::AuthAction::reject;
  AuthDialog d(settings);
  d.verdicts = all_pass();
  d.verdicts.spf_helo = spf_verdict(spf::Result::fail, spf::Identity::helo, "client.sender.test");
  d.connect();
  EXPECT_TRUE(d.transaction(kMessage).starts_with("550 5.7.23"));
}

TEST(InboundSession, SpfFailTaggedByDefault) {
  AuthDialog d;
  d.verdicts = all_pass();
  d.verdicts.spf = spf_verdict(spf::Result::fail);
  d.connect();
  EXPECT_EQ(d.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  ASSERT_EQ(d.submissions.size(), 1u);
  EXPECT_TRUE(has(d.submissions[0].message, "spf=fail smtp.mailfrom=a@sender.test"));
  EXPECT_TRUE(has(d.submissions[0].message, "Received-SPF: fail"));
}

TEST(InboundSession, OnFailNoneLeavesTheResultOut) {
  auto settings = auth_settings();
  settings.inbound->spf.on_fail = config::AuthAction::none;
  AuthDialog d(settings);
  d.verdicts = all_pass();
  d.verdicts.spf = spf_verdict(spf::Result::fail);
  d.connect();
  EXPECT_EQ(d.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  const std::string& m = d.submissions.at(0).message;
  EXPECT_FALSE(has(m, "smtp.mailfrom")) << m;
  EXPECT_FALSE(has(m, "Received-SPF: fail")) << m;
  EXPECT_TRUE(has(m, "dkim=pass")) << m;
}

TEST(InboundSession, SpfSoftfailRejectOnlyWhenAsked) {
  auto settings = auth_settings();
  settings.inbound->spf.on_fail = config::AuthAction::reject;
  AuthDialog d(settings);
  d.verdicts = all_pass();
  d.verdicts.spf = spf_verdict(spf::Result::softfail);
  d.connect();
  EXPECT_EQ(d.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  settings.inbound->spf.on_softfail = config::AuthAction::reject;
  AuthDialog d2(settings);
  d2.verdicts = d.verdicts;
  d2.connect();
  EXPECT_TRUE(d2.transaction(kMessage).starts_with("550 5.7.23"));
}

TEST(InboundSession, DkimFailRejectOnlyWithoutAPassingSignature) {
  auto settings = auth_settings();
  settings.inbound->dkim.on_fail = config::AuthAction::reject;
  AuthDialog d(settings);
  d.verdicts = all_pass();
  d.verdicts.dkim = std::vector<dkim::SignatureResult>{signature(dkim::Result::fail)};
  d.connect();
  EXPECT_TRUE(d.transaction(kMessage).starts_with("550 5.7.20 No passing DKIM signature"));

  AuthDialog d2(settings);
  d2.verdicts = all_pass();
  d2.verdicts.dkim = std::vector<dkim::SignatureResult>{signature(dkim::Result::fail, "other.test"),
                                                         signature(dkim::Result::pass)};
  d2.connect();
  EXPECT_EQ(d2.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  const std::string& m = d2.submissions.at(0).message;
  EXPECT_TRUE(has(m, "dkim=fail reason=\"body hash mismatch\" header.d=other.test")) << m;
  EXPECT_TRUE(has(m, "dkim=pass header.d=sender.test")) << m;
}

TEST(InboundSession, UnsignedMessageIsDkimNone) {
  AuthDialog d;
  d.verdicts = all_pass();
  d.verdicts.dkim = std::vector<dkim::SignatureResult>{};
  d.connect();
  EXPECT_EQ(d.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  EXPECT_TRUE(has(d.submissions.at(0).message, "dkim=none"));
}

TEST(InboundSession, DmarcRejectEnforcedIs550_5_7_1) {
  auto settings = auth_settings();
  settings.inbound->dmarc.enforce = true;
  AuthDialog d(settings);
  d.verdicts = all_pass();
  d.verdicts.dmarc = dmarc_eval(dmarc::Result::fail, dmarc::Policy::reject, dmarc::Policy::reject);
  d.connect();
  const std::string reply = d.transaction(kMessage);
  EXPECT_EQ(reply, "550 5.7.1 Message rejected by the DMARC policy of sender.test");
  EXPECT_TRUE(d.submissions.empty());
  ASSERT_EQ(d.dmarc_recorded.size(), 1u);
  EXPECT_TRUE(has(d.dmarc_recorded[0].at(0), "\"dmarc\":\"fail\""));
}

TEST(InboundSession, DmarcRejectNotEnforcedIsTaggedForQuarantine) {
  AuthDialog d;
  d.verdicts = all_pass();
  d.verdicts.dmarc = dmarc_eval(dmarc::Result::fail, dmarc::Policy::reject, dmarc::Policy::reject);
  d.connect();
  EXPECT_EQ(d.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  const std::string& m = d.submissions.at(0).message;
  EXPECT_TRUE(has(m, "dmarc=fail header.from=sender.test")) << m;
  EXPECT_TRUE(has(m, "\r\nX-Postern-Quarantine: yes (dmarc p=reject, not enforced)\r\n")) << m;
}

TEST(InboundSession, DmarcQuarantineIsTaggedUnlessTurnedOff) {
  AuthDialog d;
  d.verdicts = all_pass();
  d.verdicts.dmarc =
      dmarc_eval(dmarc::Result::fail, dmarc::Policy::quarantine, dmarc::Policy::quarantine);
  d.connect();
  EXPECT_EQ(d.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  EXPECT_TRUE(has(d.submissions.at(0).message, "X-Postern-Quarantine: yes (dmarc p=quarantine)"));

  auto settings = auth_settings();
  settings.inbound->dmarc.on_quarantine = config::QuarantineAction::none;
  AuthDialog d2(settings);
  d2.verdicts = d.verdicts;
  d2.connect();
  EXPECT_EQ(d2.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  EXPECT_FALSE(has(d2.submissions.at(0).message, "X-Postern-Quarantine"));
  EXPECT_TRUE(has(d2.submissions.at(0).message, "dmarc=fail"));
}

TEST(InboundSession, TemperrorDeferIs451AndNothingIsRecorded) {
  auto settings = auth_settings();
  settings.inbound->spf.on_temperror = config::TempAction::defer;
  AuthDialog d(settings);
  d.verdicts = all_pass();
  d.verdicts.spf = spf_verdict(spf::Result::temperror);
  d.connect();
  EXPECT_TRUE(d.transaction(kMessage).starts_with("451 4.7.24 SPF check of sender.test failed"));
  EXPECT_TRUE(d.submissions.empty());
  EXPECT_TRUE(d.dmarc_recorded.empty()) << "the sender retries; it is recorded then";

  auto s2 = auth_settings();
  s2.inbound->dmarc.on_temperror = config::DmarcTempAction::defer;
  AuthDialog d2(s2);
  d2.verdicts = all_pass();
  d2.verdicts.dmarc = dmarc_eval(dmarc::Result::temperror);
  d2.connect();
  EXPECT_TRUE(d2.transaction(kMessage).starts_with("451 4.7.1 DMARC"));

  auto s3 = auth_settings();
  s3.inbound->dkim.on_temperror = config::TempAction::defer;
  AuthDialog d3(s3);
  d3.verdicts = all_pass();
  d3.verdicts.dkim = std::vector<dkim::SignatureResult>{signature(dkim::Result::temperror)};
  d3.connect();
  EXPECT_TRUE(d3.transaction(kMessage).starts_with("451 4.7.5"));
}

TEST(InboundSession, TemperrorIsTaggedByDefault) {
  AuthDialog d;
  d.verdicts = all_pass();
  d.verdicts.spf = spf_verdict(spf::Result::temperror);
  d.verdicts.dmarc = dmarc_eval(dmarc::Result::temperror);
  d.connect();
  EXPECT_EQ(d.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  EXPECT_TRUE(has(d.submissions.at(0).message, "spf=temperror"));
  EXPECT_TRUE(has(d.submissions.at(0).message, "dmarc=temperror"));
}

TEST(InboundSession, RejectWinsOverDefer) {
  auto settings = auth_settings();
  settings.inbound->spf.on_temperror = config::TempAction::defer;
  settings.inbound->dmarc.enforce = true;
  AuthDialog d(settings);
  d.verdicts = all_pass();
  d.verdicts.spf = spf_verdict(spf::Result::temperror);
  d.verdicts.dmarc = dmarc_eval(dmarc::Result::fail, dmarc::Policy::reject, dmarc::Policy::reject);
  d.connect();
  EXPECT_TRUE(d.transaction(kMessage).starts_with("550 5.7.1"));
}

TEST(InboundSession, AuthenticatedSubmissionSkipsChecksButForgedFieldsGo) {
  AuthDialog d;
  d.connect();
  d.cmd("EHLO client.sender.test", "250");
  d.cmd("STARTTLS", "220");
  d.cmd("EHLO client.sender.test", "250");
  d.cmd("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHMzY3JldA==", "235 2.7.0");
  d.cmd("MAIL FROM:<alice@example.org>", "250 2.1.0");
  d.cmd("RCPT TO:<someone@remote.test>", "250 2.1.5");
  d.cmd("DATA", "354");
  EXPECT_EQ(d.body("Authentication-Results: mx.example.org; dkim=pass\r\n" + kMessage + ".\r\n"),
            "250 2.0.0 Ok: queued as Q42");
  EXPECT_TRUE(d.spf_starts.empty());
  EXPECT_TRUE(d.auth_requests.empty());
  ASSERT_EQ(d.submissions.size(), 1u);
  EXPECT_TRUE(d.submissions[0].message.starts_with("Received: ")) << "no A-R written by us";
  EXPECT_FALSE(has(d.submissions[0].message, "Authentication-Results"));
  EXPECT_TRUE(d.submissions[0].dmarc_evaluations.empty());
}

TEST(InboundSession, TrustedNetworkSkipsChecks) {
  AuthDialog d(auth_settings(), "127.0.0.1");
  d.connect();
  EXPECT_EQ(d.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  EXPECT_TRUE(d.spf_starts.empty());
  EXPECT_TRUE(d.auth_requests.empty());
  EXPECT_TRUE(d.submissions.at(0).message.starts_with("Received: "));

  auto settings = auth_settings();
  settings.inbound->trusted_networks = {*config::parse_cidr("192.0.2.0/24").cidr};
  AuthDialog d2(settings);
  d2.connect();
  EXPECT_EQ(d2.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  EXPECT_TRUE(d2.auth_requests.empty());
}

TEST(InboundSession, SpfSkipHostStillFeedsDmarcButWritesNoSpf) {
  auto settings = auth_settings();
  settings.inbound->spf.skip_hosts = {*config::parse_cidr("192.0.2.0/24").cidr};
  AuthDialog d(settings);
  d.verdicts = all_pass();
  d.verdicts.spf_helo.reset();
  d.connect();
  EXPECT_EQ(d.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  ASSERT_EQ(d.spf_starts.size(), 1u);
  EXPECT_TRUE(d.spf_starts[0].mail_from_identity) << "DMARC needs the SPF result";
  EXPECT_FALSE(d.spf_starts[0].helo_identity);
  EXPECT_FALSE(d.auth_requests.at(0).plan.spf_policy);
  const std::string& m = d.submissions.at(0).message;
  EXPECT_FALSE(has(m, "spf=")) << m;
  EXPECT_FALSE(has(m, "Received-SPF")) << m;
  EXPECT_TRUE(has(m, "dmarc=pass")) << m;
}

TEST(InboundSession, EverythingDisabledMeansNoChecks) {
  auto settings = auth_settings();
  settings.inbound->spf.enabled = false;
  settings.inbound->dkim.enabled = false;
  settings.inbound->dmarc.enabled = false;
  AuthDialog d(settings);
  d.connect();
  EXPECT_EQ(d.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  EXPECT_TRUE(d.spf_starts.empty());
  EXPECT_TRUE(d.auth_requests.empty());
}

TEST(InboundSession, SecondTransactionStartsItsOwnSpfCheck) {
  AuthDialog d;
  d.verdicts = all_pass();
  d.connect();
  EXPECT_EQ(d.transaction(kMessage), "250 2.0.0 Ok: queued as Q42");
  d.cmd("MAIL FROM:<c@third.test>", "250 2.1.0");
  d.cmd("RSET", "250");
  ASSERT_EQ(d.spf_starts.size(), 2u);
  EXPECT_EQ(d.spf_starts[1].mail_from, "c@third.test");
}

}  // namespace
}  // namespace postern::edge::testing
