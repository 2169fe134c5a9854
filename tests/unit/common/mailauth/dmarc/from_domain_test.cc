// RFC5322.From domain extraction for DMARC (RFC 7489 6.6.1): table tests.
#include "common/mailauth/dmarc/from_domain.h"

#include <gtest/gtest.h>

#include <string>

namespace postern::mailauth::dmarc {
namespace {

struct ValueCase {
  const char* name;
  std::string_view value;
  FromStatus status;
  std::string_view domain;
};

TEST(DmarcFromValue, Table) {
  const ValueCase cases[] = {
      {"bare", "user@Example.COM", FromStatus::ok, "example.com"},
      {"angle", "<user@example.com>", FromStatus::ok, "example.com"},
      {"display name", "Jane Doe <jane@mail.example.org>", FromStatus::ok, "mail.example.org"},
      {"quoted display with tricks", "\"evil@attacker.example, <x@y>\" <jane@example.org>",
       FromStatus::ok, "example.org"},
      {"quoted local part", "\"jane doe\"@example.org", FromStatus::ok, "example.org"},
      {"comments", "(c) jane(x)@(y)example.org (z)", FromStatus::ok, "example.org"},
      {"nested comment with parens", "jane@example.org (a (b) \\) c)", FromStatus::ok,
       "example.org"},
      {"comment hiding an address", "jane@example.org (other@attacker.example)", FromStatus::ok,
       "example.org"},
      {"trailing dot", "jane@example.org.", FromStatus::ok, "example.org"},
      {"obs wsp around dot and at", "jane . doe @ example . org", FromStatus::ok, "example.org"},
      {"obs route", "<@relay.example,@r2.example:jane@example.org>", FromStatus::ok,
       "example.org"},
      {"group of one", "Team: jane@example.org;", FromStatus::ok, "example.org"},
      {"empty list elements", ", jane@example.org ,", FromStatus::ok, "example.org"},
      {"underscore label", "a@_x.example.org", FromStatus::ok, "_x.example.org"},
      {"two addresses", "a@example.org, b@example.net", FromStatus::multiple_addresses, ""},
      {"two in a group", "G: a@example.org, b@example.org;", FromStatus::multiple_addresses, ""},
      {"group then address", "G: a@example.org; b@example.org", FromStatus::multiple_addresses,
       ""},
      {"empty group", "undisclosed-recipients:;", FromStatus::no_address, ""},
      {"empty", "", FromStatus::no_address, ""},
      {"only comment", "(nobody)", FromStatus::no_address, ""},
      {"no at", "jane", FromStatus::syntax, ""},
      {"no domain", "jane@", FromStatus::syntax, ""},
      {"no local", "@example.org", FromStatus::syntax, ""},
      {"unterminated quote", "\"jane <jane@example.org>", FromStatus::syntax, ""},
      {"unterminated comment", "jane@example.org (x", FromStatus::syntax, ""},
      {"unterminated angle", "Jane <jane@example.org", FromStatus::syntax, ""},
      {"junk after angle", "<jane@example.org> extra", FromStatus::syntax, ""},
      {"words without angle", "Jane Doe jane@example.org", FromStatus::syntax, ""},
      {"unclosed group", "G: a@example.org", FromStatus::syntax, ""},
      {"stray close paren", "jane@example.org)", FromStatus::syntax, ""},
      {"nested angle", "<<a@example.org>>", FromStatus::syntax, ""},
      {"domain literal", "jane@[192.0.2.1]", FromStatus::not_a_domain, ""},
      {"bad label", "jane@exa mple.org", FromStatus::syntax, ""},
      {"empty label", "jane@example..org", FromStatus::not_a_domain, ""},
      {"non-ascii domain", "jane@b\xc3\xbc"
                           "cher.example",
       FromStatus::not_a_domain, ""},
  };
  for (const auto& c : cases) {
    const FromDomain r = parse_from_value(c.value);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << to_string(r.status);
    EXPECT_EQ(r.domain, c.domain) << c.name;
  }
}

TEST(DmarcFromValue, Caps) {
  EXPECT_EQ(parse_from_value("a@" + std::string(64, 'x') + ".example").status,
            FromStatus::not_a_domain);
  std::string long_name;
  for (int i = 0; i < 64; ++i) long_name += "abcd.";
  EXPECT_EQ(parse_from_value("a@" + long_name + "org").status, FromStatus::not_a_domain);
  EXPECT_EQ(parse_from_value(std::string(kMaxFromBytes, ' ') + "a@example.org").status,
            FromStatus::too_long);
  std::string deep = "a@example.org ";
  for (int i = 0; i < kMaxCommentDepth + 1; ++i) deep += '(';
  for (int i = 0; i < kMaxCommentDepth + 1; ++i) deep += ')';
  EXPECT_EQ(parse_from_value(deep).status, FromStatus::syntax);
  std::string ok_depth = "a@example.org ";
  for (int i = 0; i < kMaxCommentDepth; ++i) ok_depth += '(';
  for (int i = 0; i < kMaxCommentDepth; ++i) ok_depth += ')';
  EXPECT_EQ(parse_from_value(ok_depth).status, FromStatus::ok);
}

struct BlockCase {
  const char* name;
  std::string_view block;
  FromStatus status;
  std::string_view domain;
};

TEST(DmarcFromHeaders, Table) {
  const BlockCase cases[] = {
      {"one", "To: b@x.example\r\nFrom: Jane <jane@example.org>\r\n", FromStatus::ok,
       "example.org"},
      {"folded", "From: Jane\r\n <jane@\r\n\texample.org>\r\n", FromStatus::ok, "example.org"},
      {"case-insensitive name", "FROM: jane@example.org\r\n", FromStatus::ok, "example.org"},
      {"bare lf", "From: jane@example.org\nSubject: x\n", FromStatus::ok, "example.org"},
      {"none", "To: b@x.example\r\nSubject: hi\r\n", FromStatus::no_from_field, ""},
      {"two fields", "From: a@example.org\r\nFrom: a@example.org\r\n",
       FromStatus::multiple_from_fields, ""},
      {"obs name with space", "From : a@example.org\r\nFrom: a@example.org\r\n",
       FromStatus::multiple_from_fields, ""},
      {"not confused by other fields", "X-From: a@evil.example\r\nFrom: a@example.org\r\n"
                                       "Resent-From: r@evil.example\r\n",
       FromStatus::ok, "example.org"},
  };
  for (const auto& c : cases) {
    const FromDomain r = extract_from_domain(c.block);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << to_string(r.status);
    EXPECT_EQ(r.domain, c.domain) << c.name;
  }
}

TEST(DmarcDnsDomain, Table) {
  EXPECT_EQ(dns_domain("Example.ORG."), "example.org");
  EXPECT_EQ(dns_domain("a-b_c.example"), "a-b_c.example");
  EXPECT_EQ(dns_domain(""), "");
  EXPECT_EQ(dns_domain("."), "");
  EXPECT_EQ(dns_domain(".example"), "");
  EXPECT_EQ(dns_domain("a..b"), "");
  EXPECT_EQ(dns_domain("a b"), "");
  EXPECT_EQ(dns_domain(std::string(63, 'a') + ".b"), std::string(63, 'a') + ".b");
  EXPECT_EQ(dns_domain(std::string(64, 'a') + ".b"), "");
}

}  // namespace
}  // namespace postern::mailauth::dmarc
