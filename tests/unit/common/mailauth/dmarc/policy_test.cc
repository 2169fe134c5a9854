// Alignment and the policy to apply (RFC 7489 3.1, 6.6.4; DMARCbis np, t): pure decisions.
#include "common/mailauth/dmarc/policy.h"

#include <gtest/gtest.h>

#include "common/mailauth/dmarc/evaluation.h"

namespace postern::mailauth::dmarc {
namespace {

struct AlignCase {
  const char* name;
  std::string_view auth, auth_org, from, from_org;
  AlignmentMode mode;
  bool expected;
};

TEST(DmarcAlignment, Table) {
  constexpr auto r = AlignmentMode::relaxed;
  constexpr auto s = AlignmentMode::strict;
  const AlignCase cases[] = {
      {"strict equal", "example.com", "example.com", "example.com", "example.com", s, true},
      {"strict case and dot", "Example.COM.", "", "example.com", "", s, true},
      {"strict subdomain", "mail.example.com", "example.com", "example.com", "example.com", s,
       false},
      {"relaxed subdomain", "mail.example.com", "example.com", "example.com", "example.com", r,
       true},
      {"relaxed siblings", "a.example.com", "example.com", "b.example.com", "example.com", r,
       true},
      {"relaxed other org", "example.net", "example.net", "example.com", "example.com", r,
       false},
      {"relaxed public suffix trick", "evil.co.uk", "evil.co.uk", "bank.co.uk", "bank.co.uk", r,
       false},
      {"empty auth", "", "", "example.com", "example.com", r, false},
      {"empty orgs", "a.example.com", "", "b.example.com", "", r, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(aligned(c.auth, c.auth_org, c.from, c.from_org, c.mode), c.expected) << c.name;
  }
}

Record record(std::string_view text) { return *parse_record(text).record; }

TEST(DmarcPolicy, ScopePicksTheTag) {
  const Record all = record("v=DMARC1; p=reject; sp=quarantine; np=none");
  EXPECT_EQ(requested_policy(all, PolicyScope::domain), Policy::reject);
  EXPECT_EQ(requested_policy(all, PolicyScope::subdomain), Policy::quarantine);
  EXPECT_EQ(requested_policy(all, PolicyScope::non_existent), Policy::none);
  const Record p_only = record("v=DMARC1; p=reject");
  EXPECT_EQ(requested_policy(p_only, PolicyScope::subdomain), Policy::reject);
  EXPECT_EQ(requested_policy(p_only, PolicyScope::non_existent), Policy::reject);
  const Record sp = record("v=DMARC1; p=none; sp=reject");
  EXPECT_EQ(requested_policy(sp, PolicyScope::non_existent), Policy::reject);
}

struct DecideCase {
  const char* name;
  Result result;
  std::string_view record;
  int draw;  // what the percent source returns (-1: must not be called)
  Policy apply;
  bool sampled_out;
};

TEST(DmarcPolicy, Decide) {
  const DecideCase cases[] = {
      {"pass applies nothing", Result::pass, "v=DMARC1; p=reject", -1, Policy::none, false},
      {"none applies nothing", Result::none, "v=DMARC1; p=reject", -1, Policy::none, false},
      {"temperror applies nothing", Result::temperror, "v=DMARC1; p=reject", -1, Policy::none,
       false},
      {"fail reject", Result::fail, "v=DMARC1; p=reject", -1, Policy::reject, false},
      {"fail quarantine", Result::fail, "v=DMARC1; p=quarantine", -1, Policy::quarantine, false},
      {"fail none", Result::fail, "v=DMARC1; p=none; pct=0", -1, Policy::none, false},
      {"pct in sample", Result::fail, "v=DMARC1; p=reject; pct=30", 29, Policy::reject, false},
      {"pct out of sample", Result::fail, "v=DMARC1; p=reject; pct=30", 30, Policy::quarantine,
       true},
      {"pct quarantine out", Result::fail, "v=DMARC1; p=quarantine; pct=50", 99, Policy::none,
       true},
      {"pct 0 never samples in", Result::fail, "v=DMARC1; p=reject; pct=0", -1,
       Policy::quarantine, true},
      {"testing", Result::fail, "v=DMARC1; p=reject; t=y", -1, Policy::quarantine, false},
      {"testing and pct: one step only", Result::fail, "v=DMARC1; p=reject; t=y; pct=0", -1,
       Policy::quarantine, true},
  };
  for (const auto& c : cases) {
    int calls = 0;
    const PercentSource source = [&] {
      ++calls;
      return c.draw;
    };
    const Disposition d = decide(c.result, record(c.record), PolicyScope::domain, source);
    EXPECT_EQ(d.apply, c.apply) << c.name << ": " << d.reason;
    EXPECT_EQ(d.sampled_out, c.sampled_out) << c.name;
    if (c.draw < 0) {
      EXPECT_EQ(calls, 0) << c.name;
    }
    EXPECT_FALSE(d.reason.empty()) << c.name;
  }
}

TEST(DmarcPolicy, RandomPercentStaysInRange) {
  bool low = false, high = false;
  for (int i = 0; i < 2000; ++i) {
    const int p = random_percent();
    ASSERT_GE(p, 0);
    ASSERT_LT(p, 100);
    low = low || p < 50;
    high = high || p >= 50;
  }
  EXPECT_TRUE(low && high);
}

TEST(DmarcPolicy, FromProblems) {
  EXPECT_EQ(evaluation_for_from({FromStatus::multiple_addresses, {}}).result, Result::permerror);
  EXPECT_EQ(evaluation_for_from({FromStatus::multiple_from_fields, {}}).result,
            Result::permerror);
  EXPECT_EQ(evaluation_for_from({FromStatus::no_from_field, {}}).result, Result::permerror);
  EXPECT_EQ(evaluation_for_from({FromStatus::syntax, {}}).result, Result::permerror);
  EXPECT_EQ(evaluation_for_from({FromStatus::no_address, {}}).result, Result::none);
  EXPECT_EQ(evaluation_for_from({FromStatus::not_a_domain, {}}).result, Result::none);
  const Evaluation e = evaluation_for_from({FromStatus::multiple_addresses, {}});
  EXPECT_EQ(e.disposition.apply, Policy::none);
  EXPECT_EQ(e.reason, "multiple addresses in From");
}

}  // namespace
}  // namespace postern::mailauth::dmarc
