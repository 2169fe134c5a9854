// The pure parts of sender authentication: which checks apply (plan), and the forged-field
// clean-up over awkward header blocks.
#include <gtest/gtest.h>

#include "edge/inbound/decision.h"
#include "edge/inbound/headers.h"
#include "edge/inbound/plan.h"

namespace postern::edge::inbound {
namespace {

config::Cidr cidr(const char* text) { return *config::parse_cidr(text).cidr; }

TEST(InboundPlan, WhoIsCheckedForWhat) {
  config::Inbound in;
  Plan p = plan_for(in, "192.0.2.7", false);
  EXPECT_TRUE(p.spf && p.spf_helo && p.dkim && p.dmarc && p.iprev && p.spf_policy && p.dkim_policy);
  EXPECT_FALSE(plan_for(in, "192.0.2.7", true).any()) << "authenticated";
  EXPECT_FALSE(plan_for(in, "127.0.0.1", false).any()) << "trusted by default";
  EXPECT_FALSE(plan_for(in, "::1", false).any());
  EXPECT_TRUE(plan_for(in, "::ffff:192.0.2.7", false).any());

  in.spf.check_helo = false;
  EXPECT_FALSE(plan_for(in, "192.0.2.7", false).spf_helo);

  in.dmarc.enabled = false;
  in.dkim.skip_hosts = {cidr("192.0.2.0/24")};
  p = plan_for(in, "192.0.2.7", false);
  EXPECT_FALSE(p.dkim) << "no DMARC needs it either";
  EXPECT_TRUE(p.spf);
  EXPECT_TRUE(plan_for(in, "198.51.100.1", false).dkim);

  in.dmarc.enabled = true;
  p = plan_for(in, "192.0.2.7", false);
  EXPECT_TRUE(p.dkim) << "verified for DMARC";
  EXPECT_FALSE(p.dkim_policy) << "but neither written nor acted on";

  in.spf.enabled = in.dkim.enabled = in.dmarc.enabled = false;
  EXPECT_FALSE(plan_for(in, "192.0.2.7", false).any()) << "iprev only with another check";
}

TEST(InboundDecision, NothingCheckedIsAccepted) {
  const Decision d = decide(config::Inbound{}, Plan{}, Verdicts{});
  EXPECT_EQ(d.kind, Decision::Kind::accept);
  EXPECT_FALSE(d.reply);
  EXPECT_TRUE(d.quarantine.empty());
  EXPECT_EQ(authentication_fields(config::Inbound{}, Plan{}, Verdicts{}, d,
                                  HeaderContext{"mx.example.org", "192.0.2.7", "h", "a@b"}),
            "");
}

TEST(InboundHeaders, ForgedFieldRemovalKeepsEveryOtherByte) {
  struct Case {
    const char* name;
    std::string in;
    std::string out;
    std::size_t removed;
  };
  const std::vector<Case> cases = {
      {"crlf", "A: 1\r\nAuthentication-Results: mx.example.org; spf=pass\r\nB: 2\r\n\r\nbody\r\n",
       "A: 1\r\nB: 2\r\n\r\nbody\r\n", 1},
      {"folded", "Authentication-Results: mx.example.org;\r\n\tdkim=pass\r\nB: 2\r\n\r\nx",
       "B: 2\r\n\r\nx", 1},
      {"case_and_comment", "authentication-results: (c) MX.Example.Org; none\r\n\r\n", "\r\n", 1},
      {"other_id_kept", "Authentication-Results: mx.example.org.evil; none\r\n\r\n",
       "Authentication-Results: mx.example.org.evil; none\r\n\r\n", 0},
      {"quarantine_marker", "x-postern-quarantine: no\r\nB: 2\r\n\r\n", "B: 2\r\n\r\n", 1},
      {"body_untouched", "B: 2\r\n\r\nAuthentication-Results: mx.example.org; none\r\n",
       "B: 2\r\n\r\nAuthentication-Results: mx.example.org; none\r\n", 0},
      {"no_separator", "Authentication-Results: mx.example.org; none\r\nB: 2\r\n", "B: 2\r\n", 1},
      {"bare_lf", "Authentication-Results: mx.example.org; none\nB: 2\n\nbody\n",
       "B: 2\n\nbody\n", 1},
      {"empty", "", "", 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Cleaned r = remove_forged_fields(c.in, "mx.example.org");
    EXPECT_EQ(r.message, c.out);
    EXPECT_EQ(r.removed, c.removed);
  }
}

}  // namespace
}  // namespace postern::edge::inbound
