// The SPF record parser (RFC 7208 4.5, 4.6, 5, 6, 12), table-tested.
#include <gtest/gtest.h>

#include "common/mailauth/spf/record.h"

namespace postern::spf {
namespace {

const Record* ok(const std::variant<Record, ParseError>& r) { return std::get_if<Record>(&r); }

TEST(SpfRecordSelection, VersionRules) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("v=spf1 -all"));
  EXPECT_TRUE(is_spf_record("V=SpF1 ~all"));
  EXPECT_FALSE(is_spf_record("v=spf10"));
  EXPECT_FALSE(is_spf_record("v=spf1mx"));
  EXPECT_FALSE(is_spf_record(" v=spf1"));
  EXPECT_FALSE(is_spf_record("v=spf2.0/pra -all"));
  EXPECT_FALSE(is_spf_record(""));
}

struct Case {
  const char* record;
  bool valid;
  friend void PrintTo(const Case& c, std::ostream* os) { *os << '"' << c.record << '"'; }
};

class SpfRecordSyntax : public ::testing::TestWithParam<Case> {};

TEST_P(SpfRecordSyntax, AcceptsOrRejects) {
  const auto result = parse_record(GetParam().record);
  EXPECT_EQ(ok(result) != nullptr, GetParam().valid)
      << GetParam().record << ": "
      << (ok(result) ? "parsed" : std::get<ParseError>(result).message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, SpfRecordSyntax,
    ::testing::Values(
        Case{"v=spf1", true}, Case{"v=spf1 ", true}, Case{"v=spf1  a  -all ", true},
        Case{"v=spf1 +all -all ~all ?all", true}, Case{"v=spf1 ALL", true},
        Case{"v=spf1 -all.", false}, Case{"v=spf1 -all:x.com", false}, Case{"v=spf1 -all/8", false},
        Case{"v=spf1 a mx ptr", true}, Case{"v=spf1 a/24 mx//64 a/0//0", true},
        Case{"v=spf1 a/33", false}, Case{"v=spf1 a//129", false}, Case{"v=spf1 a/24/64", false},
        Case{"v=spf1 a/032", false}, Case{"v=spf1 a:example.com/24//64", true},
        Case{"v=spf1 a:foo:bar/baz.example.com", true}, Case{"v=spf1 a:", false},
        Case{"v=spf1 a:museum", false}, Case{"v=spf1 a:museum.", false},
        Case{"v=spf1 a:111.222.33.44", false}, Case{"v=spf1 a:abc.123", false},
        Case{"v=spf1 a:example.-com", false}, Case{"v=spf1 a:example.com:8080", false},
        Case{"v=spf1 a:foo.example.xn--zckzah", true}, Case{"v=spf1 a:mail.example...com", true},
        Case{"v=spf1 a:%{d}", true}, Case{"v=spf1 a:%{d}com", false}, Case{"v=spf1 a:x.%{a}.com", false},
        Case{"v=spf1 ptr/0", false}, Case{"v=spf1 ptr:", false}, Case{"v=spf1 ptr:example.com", true},
        Case{"v=spf1 include", false}, Case{"v=spf1 include:", false},
        Case{"v=spf1 include:x.example.com/24", false}, Case{"v=spf1 exists:%{i}.bl.example", true},
        Case{"v=spf1 exists", false}, Case{"v=spf1 ip4", false}, Case{"v=spf1 ip4:1.2.3.4/32", true},
        Case{"v=spf1 ip4:1.2.3.4/33", false}, Case{"v=spf1 ip4:1.2.3.4/032", false},
        Case{"v=spf1 ip4:1.2.3", false}, Case{"v=spf1 ip4:01.2.3.4", false},
        Case{"v=spf1 ip4:1.2.3.4//32", false}, Case{"v=spf1 ip4:1.2.3.4:8080", false},
        Case{"v=spf1 ip6:::1.1.1.1/0", true}, Case{"v=spf1 ip6:::1/129", false},
        Case{"v=spf1 ip6::CAFE::BABE", false}, Case{"v=spf1 ip6:2001:db8::/32//33", false},
        Case{"v=spf1 redirect=x.example.com", true}, Case{"v=spf1 redirect=", false},
        Case{"v=spf1 redirect=-all", false}, Case{"v=spf1 redirect:x.example.com", false},
        Case{"v=spf1 redirect=a.example.com redirect=a.example.com", false},
        Case{"v=spf1 exp=e.example.com exp=e.example.com", false}, Case{"v=spf1 exp=", false},
        Case{"v=spf1 moo.cow-far_out=man:dog/cat", true}, Case{"v=spf1 moo.cow/far_out=x", false},
        Case{"v=spf1 1up=foo", false}, Case{"v=spf1 =all", false}, Case{"v=spf1 foo=%abc", false},
        Case{"v=spf1 default=+", true}, Case{"v=spf1 a:ctrl.example.com\rptr", false},
        Case{"v=spf1 \x80" "a", false},
        Case{"v=spf1 unknown:x", false}, Case{"v=spf1 ip4:1.2.3.4\n", false}));

TEST(SpfRecordParse, MechanismFields) {
  const auto parsed = parse_record("v=spf1 -a:Mail.Example.com/24//64 ~mx ip6:2001:DB8::/32 "
                                   "?include:_spf.example.net exp=why.%{d} redirect=r.example");
  const Record* r = ok(parsed);
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->mechanisms.size(), 4u);
  EXPECT_EQ(r->mechanisms[0].kind, MechanismKind::a);
  EXPECT_EQ(r->mechanisms[0].qualifier, Qualifier::fail);
  EXPECT_EQ(r->mechanisms[0].domain_spec, "Mail.Example.com");
  EXPECT_EQ(r->mechanisms[0].cidr4, 24);
  EXPECT_EQ(r->mechanisms[0].cidr6, 64);
  EXPECT_EQ(r->mechanisms[0].text, "-a:Mail.Example.com/24//64");
  EXPECT_EQ(r->mechanisms[1].kind, MechanismKind::mx);
  EXPECT_EQ(r->mechanisms[1].qualifier, Qualifier::softfail);
  EXPECT_EQ(r->mechanisms[1].domain_spec, "");
  EXPECT_EQ(r->mechanisms[1].cidr4, 32);
  EXPECT_EQ(r->mechanisms[1].cidr6, 128);
  EXPECT_EQ(r->mechanisms[2].kind, MechanismKind::ip6);
  EXPECT_EQ(r->mechanisms[2].cidr6, 32);
  EXPECT_TRUE(r->mechanisms[2].network.v6);
  EXPECT_EQ(r->mechanisms[3].kind, MechanismKind::include);
  EXPECT_EQ(r->mechanisms[3].qualifier, Qualifier::neutral);
  EXPECT_EQ(r->explanation, "why.%{d}");
  EXPECT_EQ(r->redirect, "r.example");
}

TEST(SpfRecordParse, NulOctetIsAnError) {
  EXPECT_EQ(ok(parse_record(std::string("v=spf1 a:foo.example.com\0", 25))), nullptr);
}

TEST(SpfRecordParse, SyntaxErrorAfterMatchingTermStillFails) {
  EXPECT_EQ(ok(parse_record("v=spf1 ip4:1.2.3.4 -all moo")), nullptr);  // 4.6
}

TEST(SpfRecordParse, HugeRecordIsRejectedNotParsed) {
  std::string huge = "v=spf1";
  while (huge.size() <= kMaxRecordSize) huge += " ip4:192.0.2.1";
  const auto parsed = parse_record(huge);
  ASSERT_EQ(ok(parsed), nullptr);
  EXPECT_EQ(std::get<ParseError>(parsed).message, "record too long");
  // Just under the cap: many terms, still parsed.
  huge.resize(kMaxRecordSize - 20);
  huge.erase(huge.rfind(' '));
  EXPECT_NE(ok(parse_record(huge)), nullptr);
}

TEST(SpfRecordParse, Ip4MappedIp6NetworkNeverMatchesIp4) {
  const auto parsed = parse_record("v=spf1 ip6:::ffff:1.2.3.4");
  ASSERT_NE(ok(parsed), nullptr);
  EXPECT_TRUE(ok(parsed)->mechanisms[0].network.v6);
}

}  // namespace
}  // namespace postern::spf
