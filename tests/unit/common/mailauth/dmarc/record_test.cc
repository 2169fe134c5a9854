// The DMARC record parser: table tests over RFC 7489 6.3 / 6.6.3 and the DMARCbis tags.
#include "common/mailauth/dmarc/record.h"

#include <gtest/gtest.h>

#include <string>

namespace postern::mailauth::dmarc {
namespace {

TEST(DmarcRecord, MinimalRecordHasRfcDefaults) {
  const RecordResult r = parse_record("v=DMARC1; p=none");
  ASSERT_TRUE(r.ok()) << r.detail;
  const Record& rec = *r.record;
  EXPECT_EQ(rec.p, Policy::none);
  EXPECT_FALSE(rec.sp);
  EXPECT_FALSE(rec.np);
  EXPECT_EQ(rec.pct, 100);
  EXPECT_EQ(rec.adkim, AlignmentMode::relaxed);
  EXPECT_EQ(rec.aspf, AlignmentMode::relaxed);
  EXPECT_TRUE(rec.rua.empty());
  EXPECT_EQ(rec.fo, FailureOptions{});
  EXPECT_EQ(rec.rf, std::vector<std::string>{"afrf"});
  EXPECT_EQ(rec.ri, 86400u);
  EXPECT_FALSE(rec.testing);
  EXPECT_EQ(rec.psd, PsdFlag::unset);
  EXPECT_FALSE(rec.policy_defaulted);
  EXPECT_TRUE(rec.notes.empty());
}

TEST(DmarcRecord, EveryTag) {
  const RecordResult r = parse_record(
      "v=DMARC1;p=reject;sp=quarantine;np=reject;pct=20;adkim=s;aspf=s;"
      "rua=mailto:agg@example.org!10m,mailto:agg2@example.net;ruf=mailto:f@example.org!512;"
      "fo=1:d:s;rf=afrf:iodef;ri=3600;t=y;psd=n");
  ASSERT_TRUE(r.ok()) << r.detail;
  const Record& rec = *r.record;
  EXPECT_EQ(rec.p, Policy::reject);
  EXPECT_EQ(rec.sp, Policy::quarantine);
  EXPECT_EQ(rec.np, Policy::reject);
  EXPECT_EQ(rec.pct, 20);
  EXPECT_EQ(rec.adkim, AlignmentMode::strict);
  EXPECT_EQ(rec.aspf, AlignmentMode::strict);
  EXPECT_EQ(rec.rua, (std::vector<ReportUri>{{"mailto:agg@example.org", 10u << 20},
                                             {"mailto:agg2@example.net", std::nullopt}}));
  EXPECT_EQ(rec.ruf, (std::vector<ReportUri>{{"mailto:f@example.org", 512}}));
  EXPECT_EQ(rec.fo, (FailureOptions{false, true, true, true}));
  EXPECT_EQ(rec.rf, (std::vector<std::string>{"afrf", "iodef"}));
  EXPECT_EQ(rec.ri, 3600u);
  EXPECT_TRUE(rec.testing);
  EXPECT_EQ(rec.psd, PsdFlag::no);
  EXPECT_TRUE(rec.notes.empty());
}

TEST(DmarcRecord, WhitespaceCaseAndTrailingSemicolon) {
  const RecordResult r =
      parse_record("v = DMARC1 ;\tP = Reject ; ADKIM=S; rua = mailto:a@x.example , "
                   "mailto:b@x.example!1G ;  ");
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(r.record->p, Policy::reject);
  EXPECT_EQ(r.record->adkim, AlignmentMode::strict);
  ASSERT_EQ(r.record->rua.size(), 2u);
  EXPECT_EQ(r.record->rua[1].max_bytes, uint64_t{1} << 30);
}

struct NotDmarcCase {
  const char* name;
  std::string_view text;
};

TEST(DmarcRecord, NotADmarcRecord) {
  const NotDmarcCase cases[] = {
      {"empty", ""},
      {"spf record", "v=spf1 -all"},
      {"v not first", "p=none; v=DMARC1"},
      {"lower-case version", "v=dmarc1; p=none"},
      {"other version", "v=DMARC2; p=none"},
      {"version prefix only", "v=DMARC10; p=none"},
      {"no equals", "v DMARC1; p=none"},
      {"leading junk", "x v=DMARC1; p=none"},
  };
  for (const auto& c : cases) {
    const RecordResult r = parse_record(c.text);
    EXPECT_EQ(r.error, RecordError::not_dmarc) << c.name;
    EXPECT_FALSE(r.record) << c.name;
    EXPECT_FALSE(starts_with_dmarc_version(c.text)) << c.name;
  }
  EXPECT_TRUE(starts_with_dmarc_version("v=DMARC1"));
  EXPECT_TRUE(starts_with_dmarc_version(" v = DMARC1 ;p=none"));
}

struct PolicyCase {
  const char* name;
  std::string_view text;
  RecordError error;
  bool defaulted;
};

// RFC 7489 6.6.3 step 6: invalid or missing p (or invalid sp) is p=none when rua has a valid
// URI, and no policy at all otherwise.
TEST(DmarcRecord, InvalidPolicyFallsBackOnlyWithRua) {
  const PolicyCase cases[] = {
      {"no p", "v=DMARC1", RecordError::invalid_policy, false},
      {"no p, only rua-less tags", "v=DMARC1; pct=50", RecordError::invalid_policy, false},
      {"unknown p", "v=DMARC1; p=bounce", RecordError::invalid_policy, false},
      {"empty p", "v=DMARC1; p=", RecordError::invalid_policy, false},
      {"invalid sp", "v=DMARC1; p=reject; sp=maybe", RecordError::invalid_policy, false},
      {"no p with rua", "v=DMARC1; rua=mailto:r@example.org", RecordError::none, true},
      {"unknown p with rua", "v=DMARC1; p=bounce; rua=mailto:r@example.org", RecordError::none,
       true},
      {"invalid sp with rua", "v=DMARC1; p=reject; sp=x; rua=mailto:r@example.org",
       RecordError::none, true},
      {"p with invalid rua", "v=DMARC1; p=bogus; rua=notauri", RecordError::invalid_policy,
       false},
  };
  for (const auto& c : cases) {
    const RecordResult r = parse_record(c.text);
    EXPECT_EQ(r.error, c.error) << c.name << ": " << r.detail;
    if (!r.record) continue;
    EXPECT_EQ(r.record->policy_defaulted, c.defaulted) << c.name;
    // A broken policy never enforces anything.
    EXPECT_EQ(r.record->p, Policy::none) << c.name;
    EXPECT_EQ(r.record->sp.value_or(Policy::none), Policy::none) << c.name;
  }
}

struct DefaultCase {
  const char* name;
  std::string_view tail;  // appended to "v=DMARC1; p=quarantine; "
};

// 6.3: syntax errors in other tags fall back to defaults, with a note; the record stays.
TEST(DmarcRecord, InvalidValuesUseDefaults) {
  const DefaultCase cases[] = {
      {"pct over 100", "pct=101"},     {"pct negative", "pct=-1"},
      {"pct not a number", "pct=ten"}, {"pct empty", "pct="},
      {"adkim", "adkim=x"},            {"aspf", "aspf=strict"},
      {"fo", "fo=0:x"},                {"rf", "rf=af rf"},
      {"ri overflow", "ri=99999999999"}, {"t", "t=maybe"},
      {"psd", "psd=1"},                {"np", "np=drop"},
      {"tag without =", "oops"},       {"repeated p", "p=reject"},
      {"repeated v", "v=DMARC1"},      {"bad tag name", "1x=y"},
  };
  for (const auto& c : cases) {
    const std::string text = "v=DMARC1; p=quarantine; " + std::string(c.tail);
    const RecordResult r = parse_record(text);
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.detail;
    const Record& rec = *r.record;
    EXPECT_EQ(rec.p, Policy::quarantine) << c.name;
    EXPECT_EQ(rec.pct, 100) << c.name;
    EXPECT_EQ(rec.adkim, AlignmentMode::relaxed) << c.name;
    EXPECT_EQ(rec.aspf, AlignmentMode::relaxed) << c.name;
    EXPECT_EQ(rec.fo, FailureOptions{}) << c.name;
    EXPECT_EQ(rec.rf, std::vector<std::string>{"afrf"}) << c.name;
    EXPECT_EQ(rec.ri, 86400u) << c.name;
    EXPECT_FALSE(rec.testing) << c.name;
    EXPECT_EQ(rec.psd, PsdFlag::unset) << c.name;
    EXPECT_FALSE(rec.np) << c.name;
    EXPECT_EQ(rec.notes.size(), 1u) << c.name;
  }
}

TEST(DmarcRecord, UnknownTagsAreIgnoredSilently) {
  const RecordResult r = parse_record("v=DMARC1; p=reject; future=thing; x_y=1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.record->p, Policy::reject);
  EXPECT_TRUE(r.record->notes.empty());
}

struct UriCase {
  const char* name;
  std::string_view value;
  std::vector<ReportUri> expected;
};

TEST(DmarcRecord, ReportUris) {
  const UriCase cases[] = {
      {"plain", "mailto:a@example.org", {{"mailto:a@example.org", std::nullopt}}},
      {"k", "mailto:a@example.org!1k", {{"mailto:a@example.org", 1024}}},
      {"upper T", "mailto:a@example.org!2T", {{"mailto:a@example.org", uint64_t{2} << 40}}},
      {"bytes", "https://r.example/x!100", {{"https://r.example/x", 100}}},
      {"bad unit dropped", "mailto:a@example.org!1x", {}},
      {"no size after bang", "mailto:a@example.org!", {}},
      {"no scheme", "a@example.org", {}},
      {"empty rest", "mailto:", {}},
      {"space inside", "mailto:a b@example.org", {}},
      {"size overflow", "mailto:a@x.example!99999999999999999999t", {}},
      {"one bad one good", "bogus, mailto:b@example.org", {{"mailto:b@example.org", std::nullopt}}},
  };
  for (const auto& c : cases) {
    const std::string text = "v=DMARC1; p=none; rua=" + std::string(c.value);
    const RecordResult r = parse_record(text);
    ASSERT_TRUE(r.ok()) << c.name;
    EXPECT_EQ(r.record->rua, c.expected) << c.name;
  }
}

TEST(DmarcRecord, Caps) {
  std::string many = "v=DMARC1; p=none; rua=";
  for (int i = 0; i < 40; ++i) many += "mailto:r" + std::to_string(i) + "@example.org,";
  const RecordResult r = parse_record(many);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.record->rua.size(), kMaxUris);
  EXPECT_LE(r.record->notes.size(), kMaxNotes);

  std::string junk = "v=DMARC1; p=none";
  for (int i = 0; i < 100; ++i) junk += "; pct=bad";
  const RecordResult j = parse_record(junk);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j.record->notes.size(), kMaxNotes);

  std::string huge = "v=DMARC1; p=reject; x=" + std::string(kMaxRecordBytes, 'a');
  EXPECT_EQ(parse_record(huge).error, RecordError::too_long);
  EXPECT_FALSE(parse_record(huge).record);
}

TEST(DmarcRecord, PctBounds) {
  EXPECT_EQ(parse_record("v=DMARC1; p=none; pct=0").record->pct, 0);
  EXPECT_EQ(parse_record("v=DMARC1; p=none; pct=100").record->pct, 100);
  EXPECT_EQ(parse_record("v=DMARC1; p=none; pct=007").record->pct, 7);
}

}  // namespace
}  // namespace postern::mailauth::dmarc
