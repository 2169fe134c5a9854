// Inbound controls as scripted dialogues against the pure Session (issue 5): connection
// controls and DNSBL at connect, score thresholds at each stage, sender and recipient
// controls, greylisting, rate limits, pre-greeting tests, and the X-Postern-Score tag.
#include <gtest/gtest.h>

#include "dialog.h"

namespace postern::edge::testing {
namespace {

config::Cidr cidr(const char* text) { return *config::parse_cidr(text).cidr; }

SessionSettings policy_settings() {
  SessionSettings s = default_settings();
  s.inbound = config::Inbound{};
  // No sender authentication in these dialogues: only the inbound controls.
  s.inbound->spf.enabled = s.inbound->dkim.enabled = s.inbound->dmarc.enabled = false;
  return s;
}

policy::ZoneAnswer listed(const char* zone) {
  return policy::ZoneAnswer{zone, policy::ZoneAnswer::Outcome::listed, "127.0.0.2", ""};
}

std::string joined_log(Session& s) {
  std::string out;
  for (const auto& l : s.take_policy_log()) out += l + "\n";
  return out;
}

TEST(PolicySession, TrustedClientsAreGreetedWithoutChecks) {
  Dialog d(policy_settings(), "127.0.0.1");
  EXPECT_EQ(d.connect().substr(0, 3), "220");
  EXPECT_FALSE(d.session().policy_active());
  d.cmd("EHLO localhost", "250");
  EXPECT_TRUE(d.session().session_facts().empty());
}

TEST(PolicySession, DeniedHostIsRefusedAtConnect) {
  SessionSettings s = policy_settings();
  s.inbound->connection.deny_hosts.networks = {cidr("192.0.2.0/24")};
  Dialog d(s);
  EXPECT_EQ(d.connect(), "554 5.7.1 Connection refused for 192.0.2.7");
  EXPECT_EQ(d.next(), Next::close);
  EXPECT_NE(joined_log(d.session()).find("connect verdict: reject"), std::string::npos);
}

TEST(PolicySession, DnsblRejectIsAnsweredToMailFromButNotToAuthenticatedUsers) {
  SessionSettings s = policy_settings();
  s.inbound->dnsbl.zones = {config::DnsblZone{"bl.test", {}, config::DnsblAction::reject, 5, ""}};
  {
    Dialog d(s);
    d.client_lookup.zones = {listed("bl.test")};
    EXPECT_EQ(d.connect().substr(0, 3), "220");
    d.cmd("EHLO client.example", "250");
    d.cmd("MAIL FROM:<a@sender.example>", "550 5.7.1 Rejected: 192.0.2.7 is listed at bl.test");
    const std::string log = joined_log(d.session());
    EXPECT_NE(log.find("connect verdict: reject: DNSBL bl.test lists 192.0.2.7"), std::string::npos) << log;
    EXPECT_NE(log.find("dnsbl:bl.test=+5"), std::string::npos) << log;
  }
  {
    Dialog d(s);
    d.client_lookup.zones = {listed("bl.test")};
    d.connect();
    d.cmd("EHLO client.example", "250");
    d.cmd("STARTTLS", "220");
    d.cmd("EHLO client.example", "250");
    d.cmd("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHMzY3JldA==", "235");
    d.cmd("MAIL FROM:<alice@example.org>", "250 2.1.0");
    d.cmd("RCPT TO:<someone@elsewhere.example>", "250 2.1.5");
  }
}

TEST(PolicySession, ScoreRejectsAtTheEarliestCertainStage) {
  SessionSettings s = policy_settings();
  s.inbound->score.reject = 5;
  s.inbound->score.defer = 3;
  s.auth = config::ListenerAuth::none;  // "authenticated" (-10) cannot arrive
  Dialog d(s);
  d.client_lookup.ptr.status = policy::Ptr::Status::none;  // no_ptr +1.5
  d.client_lookup.early_talker = true;                     // early_talker +3
  d.connect();
  d.cmd("EHLO localhost", "250");                          // helo_not_fqdn +1
  // 5.5 >= 5, and greylisting is off: nothing can lower it, so MAIL is refused.
  d.cmd("MAIL FROM:<a@sender.example>", "550 5.7.1 Rejected by reputation score 5.5");
  const std::string log = joined_log(d.session());
  EXPECT_NE(log.find("no_ptr=+1.5 early_talker=+3 helo_not_fqdn=+1"), std::string::npos) << log;
}

TEST(PolicySession, ScoreDefersWhenLaterFactsCouldStillHelp) {
  SessionSettings s = policy_settings();
  s.inbound->score.reject = 5;
  s.inbound->score.defer = 3;
  s.inbound->score.weights["greylist_passed"] = -2;
  s.inbound->greylist.enabled = true;
  s.auth = config::ListenerAuth::none;
  Dialog d(s);
  d.client_lookup.ptr.status = policy::Ptr::Status::none;
  d.client_lookup.early_talker = true;
  d.connect();
  d.cmd("EHLO localhost", "250");
  // 5.5 >= reject, but a greylist pass (-2) may still come: not certain yet.
  d.cmd("MAIL FROM:<a@sender.example>", "250 2.1.0");
  d.cmd("RCPT TO:<bob@example.org>", "250 2.1.5");  // greylist passes: 3.5
  d.cmd("DATA", "354");
  d.body("Subject: hi\r\n\r\nhello\r\n.\r\n", "451 4.7.1 Reputation score 3.5");
  EXPECT_TRUE(d.submissions.empty());
}

TEST(PolicySession, TagAddsTheScoreHeader) {
  SessionSettings s = policy_settings();
  s.inbound->score.tag = 1;
  Dialog d(s);
  d.client_lookup.ptr.status = policy::Ptr::Status::none;
  d.connect();
  d.cmd("EHLO mail.sender.example", "250");
  d.cmd("MAIL FROM:<a@sender.example>", "250");
  d.cmd("RCPT TO:<bob@example.org>", "250");
  d.cmd("DATA", "354");
  d.body("Subject: hi\r\n\r\nhello\r\n.\r\n", "250 2.0.0");
  ASSERT_EQ(d.submissions.size(), 1u);
  EXPECT_EQ(d.submissions[0].message.rfind("X-Postern-Score: 1.5 (tag no_ptr=+1.5)\r\nReceived:", 0), 0u)
      << d.submissions[0].message;
}

TEST(PolicySession, ForgedScoreFieldsAreRemovedFromEveryMessage) {
  Dialog d(policy_settings(), "127.0.0.1");
  d.connect();
  d.cmd("EHLO localhost", "250");
  d.cmd("MAIL FROM:<a@sender.example>", "250");
  d.cmd("RCPT TO:<bob@example.org>", "250");
  d.cmd("DATA", "354");
  d.body("X-Postern-Score: -100 (accept)\r\nx-postern-score: -5\r\nSubject: hi\r\n\r\nX-Postern-Score: body\r\n.\r\n",
         "250 2.0.0");
  ASSERT_EQ(d.submissions.size(), 1u);
  const std::string& m = d.submissions[0].message;
  EXPECT_EQ(m.find("X-Postern-Score: -100"), std::string::npos) << m;
  EXPECT_EQ(m.find("x-postern-score"), std::string::npos) << m;
  EXPECT_NE(m.find("\r\n\r\nX-Postern-Score: body\r\n"), std::string::npos) << m;
}

TEST(PolicySession, DnsblTagActionTagsWhateverTheScore) {
  SessionSettings s = policy_settings();
  s.inbound->dnsbl.zones = {config::DnsblZone{"tag.test", {}, config::DnsblAction::tag, 0.5, ""}};
  Dialog d(s);
  d.client_lookup.zones = {listed("tag.test")};
  d.connect();
  d.cmd("EHLO mail.sender.example", "250");
  d.cmd("MAIL FROM:<a@sender.example>", "250");
  d.cmd("RCPT TO:<bob@example.org>", "250");
  d.cmd("DATA", "354");
  d.body("Subject: hi\r\n\r\nhello\r\n.\r\n", "250 2.0.0");
  ASSERT_EQ(d.submissions.size(), 1u);
  EXPECT_EQ(d.submissions[0].message.rfind("X-Postern-Score: 0.5 (tag dnsbl:tag.test=+0.5)\r\n", 0), 0u);
}

TEST(PolicySession, SenderDomainVerification) {
  SessionSettings s = policy_settings();
  s.inbound->sender.verify_domain = true;
  Dialog d(s);
  d.connect();
  d.cmd("EHLO mail.sender.example", "250");
  d.sender_lookup.domain.status = policy::SenderDomain::Status::missing;
  d.cmd("MAIL FROM:<a@nowhere.example>", "550 5.1.8 Sender address rejected: domain nowhere.example not found");
  ASSERT_EQ(d.sender_plans.size(), 1u);
  EXPECT_EQ(d.sender_plans[0].domain, "nowhere.example");
  d.sender_lookup.domain.status = policy::SenderDomain::Status::temperror;
  d.cmd("MAIL FROM:<a@slow.example>", "450 4.1.8");
  d.sender_lookup.domain.status = policy::SenderDomain::Status::exists;
  d.cmd("MAIL FROM:<a@sender.example>", "250 2.1.0");
  // The null sender is not looked up.
  d.cmd("RSET", "250");
  d.cmd("MAIL FROM:<>", "250 2.1.0");
  EXPECT_EQ(d.sender_plans.size(), 3u);
}

TEST(PolicySession, RecipientVerificationAgainstTheDirectory) {
  SessionSettings s = policy_settings();
  s.inbound->recipients.verify_local = true;
  s.inbound->recipients.deny_groups = true;
  config::Directory dir;
  dir.users = {config::User{"Bob", {"bob@example.org"}, ""}};
  dir.groups = {config::Group{"all", {"bob@example.org"}}};
  s.directory = std::make_shared<policy::RecipientDirectory>(dir, s.local_domains);
  s.limits.max_recipients = 10;
  Dialog d(s, "127.0.0.1");  // also for trusted clients
  d.connect();
  d.cmd("EHLO localhost", "250");
  d.cmd("MAIL FROM:<a@sender.example>", "250");
  d.cmd("RCPT TO:<bob@example.org>", "250 2.1.5");
  d.cmd("RCPT TO:<BOB@Example.Org>", "250 2.1.5");
  d.cmd("RCPT TO:<nobody@example.org>", "550 5.1.1 Recipient address rejected: nobody@example.org: user unknown");
  d.cmd("RCPT TO:<all@example.net>", "550 5.7.1 Mail to group all@example.net is not accepted");
  d.cmd("RCPT TO:<postmaster@example.org>", "250 2.1.5");
  d.cmd("RCPT TO:<elsewhere@remote.example>", "554 5.7.1 Relay access denied");
}

TEST(PolicySession, GreylistingDefersThenPasses) {
  SessionSettings s = policy_settings();
  s.inbound->greylist.enabled = true;
  Dialog d(s);
  d.connect();
  d.cmd("EHLO mail.sender.example", "250");
  d.cmd("MAIL FROM:<A@Sender.Example>", "250");
  d.greylist_answer = {policy::GreylistAnswer::Kind::defer, 300, ""};
  d.cmd("RCPT TO:<bob@example.org>", "451 4.7.1 Greylisted, try again in 300 seconds");
  ASSERT_EQ(d.greylist_queries.size(), 1u);
  EXPECT_EQ(d.greylist_queries[0].client_ip, "192.0.2.7");
  EXPECT_EQ(d.greylist_queries[0].network, "192.0.2.0/24");
  EXPECT_EQ(d.greylist_queries[0].sender, "a@sender.example");
  EXPECT_EQ(d.greylist_queries[0].recipient, "bob@example.org");
  EXPECT_EQ(d.session().errors(), 0u);  // a deferral is not a client error
  d.greylist_answer = {policy::GreylistAnswer::Kind::pass, 0, ""};
  d.cmd("RCPT TO:<bob@example.org>", "250 2.1.5");
  EXPECT_EQ(policy::describe(d.session().transaction_facts()), "greylist_passed=-1");
  // An unreachable router fails open.
  d.greylist_answer = {policy::GreylistAnswer::Kind::error, 0, "no router"};
  d.cmd("RCPT TO:<carol@example.org>", "250 2.1.5");
}

TEST(PolicySession, RateLimitAtMailFrom) {
  SessionSettings s = policy_settings();
  s.inbound->rate_limits.messages_per_ip.count = 1;
  Dialog d(s);
  d.connect();
  d.cmd("EHLO mail.sender.example", "250");
  d.cmd("MAIL FROM:<a@sender.example>", "250");
  ASSERT_EQ(d.sender_plans.size(), 1u);
  EXPECT_EQ(d.sender_plans[0].rate_ip, "192.0.2.7");
  d.cmd("RSET", "250");
  d.sender_lookup.ip_rate_exceeded = true;
  d.cmd("MAIL FROM:<a@sender.example>", "450 4.7.1 Rate limit exceeded");
}

TEST(PolicySession, RateLimitPerAuthenticatedSender) {
  SessionSettings s = policy_settings();
  s.inbound->rate_limits.messages_per_sender.count = 5;
  Dialog d(s);
  d.connect();
  d.cmd("EHLO client.example", "250");
  d.cmd("STARTTLS", "220");
  d.cmd("EHLO client.example", "250");
  d.cmd("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHMzY3JldA==", "235");
  d.cmd("MAIL FROM:<alice@example.org>", "250");
  ASSERT_EQ(d.sender_plans.size(), 1u);
  EXPECT_EQ(d.sender_plans[0].rate_sender, "alice@example.org");
  EXPECT_EQ(d.sender_plans[0].rate_ip, "");  // authenticated: no per-IP count
  EXPECT_EQ(d.sender_plans[0].domain, "");   // nor a sender domain lookup
  d.cmd("RSET", "250");
  d.sender_lookup.sender_rate_exceeded = true;
  d.cmd("MAIL FROM:<alice@example.org>", "450 4.7.1 Rate limit exceeded");
}

TEST(PolicySession, EarlyTalkerAndPipeliningAreScoredOrRefused) {
  SessionSettings s = policy_settings();
  {
    Dialog d(s);
    d.client_lookup.early_talker = true;
    d.connect();
    EXPECT_FALSE(d.session().pipelining_allowed());
    d.session().note_pipelining_violation();
    d.session().note_pipelining_violation();  // noted once
    EXPECT_EQ(policy::describe(d.session().session_facts()), "early_talker=+3 pipelining=+2");
  }
  s.inbound->pregreet.reject_early_talkers = true;
  Dialog d(s);
  d.client_lookup.early_talker = true;
  EXPECT_EQ(d.connect(), "554 5.5.1 Protocol error: talked before the greeting");
}

TEST(PolicySession, TooManySessionsFromOneAddress) {
  Dialog d(policy_settings());
  d.client_lookup.too_many_sessions = true;
  EXPECT_EQ(d.connect(), "421 4.7.0 Too many connections from 192.0.2.7");
  EXPECT_EQ(d.next(), Next::close);
}

}  // namespace
}  // namespace postern::edge::testing
