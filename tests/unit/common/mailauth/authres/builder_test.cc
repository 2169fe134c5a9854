// Authentication-Results builder (RFC 8601 2.2): values, quoting, folding.
#include "common/mailauth/authres/builder.h"

#include <gtest/gtest.h>

#include "common/mailauth/authres/authserv_id.h"
#include "common/mailauth/authres/value.h"

namespace postern::mailauth::authres {
namespace {

struct ValueCase {
  const char* name;
  std::string_view in;
  std::string_view out;
};

TEST(AuthresValue, TokenDomainMailboxOrQuoted) {
  const ValueCase cases[] = {
      {"token", "pass", "pass"},
      {"domain", "mail.example.org", "mail.example.org"},
      {"mailbox", "user@example.org", "user@example.org"},
      {"mailbox with atext", "a+b=c/d@example.org", "a+b=c/d@example.org"},
      {"at-domain", "@example.org", "@example.org"},
      {"ipv4", "192.0.2.1", "192.0.2.1"},
      {"ipv6 needs quotes", "2001:db8::1", "\"2001:db8::1\""},
      {"base64 needs quotes", "abc/def+g=", "\"abc/def+g=\""},
      {"space", "two words", "\"two words\""},
      {"quote and backslash escaped", "a\"b\\c", "\"a\\\"b\\\\c\""},
      {"controls dropped", "a\r\nb\tc", "abc"},
      {"controls dropped then quoted", "a\r\n b", "\"a b\""},
      {"empty", "", "\"\""},
      {"quoted local part", "\"x y\"@example.org", "\"\\\"x y\\\"@example.org\""},
      {"utf8 quoted", "b\xc3\xbc" "cher@example.org", "\"b\xc3\xbc" "cher@example.org\""},
  };
  for (const auto& c : cases) EXPECT_EQ(format_value(c.in), c.out) << c.name;
}

TEST(AuthresBuilder, NoResults) {
  EXPECT_EQ(format_field({"mx.example.org", {}}),
            "Authentication-Results: mx.example.org; none\r\n");
}

TEST(AuthresBuilder, AllMethodsFoldedAt78) {
  const AuthenticationResults ar{
      "mx.example.org",
      {spf("pass", "bounces@example.net"),
       dkim("pass", "example.net", "sel2024", "AbC/dEf+"),
       dmarc("pass", "example.net"),
       iprev("pass", "192.0.2.200")}};
  const std::string field = format_field(ar);
  EXPECT_EQ(field,
            "Authentication-Results: mx.example.org; spf=pass\r\n"
            "\tsmtp.mailfrom=bounces@example.net; dkim=pass header.d=example.net\r\n"
            "\theader.s=sel2024 header.b=\"AbC/dEf+\"; dmarc=pass header.from=example.net;\r\n"
            "\tiprev=pass policy.iprev=192.0.2.200\r\n");
  // Every physical line within the limit (CRLF not counted), and the field parses back.
  std::size_t start = 0;
  while (start < field.size()) {
    const std::size_t end = field.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, kFoldColumn) << field.substr(start, end - start);
    start = end + 2;
  }
  const auto id = parse_authserv_id(field.substr(field.find(':') + 1));
  ASSERT_TRUE(id);
  EXPECT_EQ(id->id, "mx.example.org");
  EXPECT_TRUE(id->well_formed);
}

TEST(AuthresBuilder, WideFoldingKeepsOneLine) {
  const AuthenticationResults ar{"mx.example.org", {spf("fail", "example.net"),
                                                    dmarc("fail", "example.net")}};
  EXPECT_EQ(format_field(ar, 998),
            "Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=example.net; "
            "dmarc=fail header.from=example.net\r\n");
}

TEST(AuthresBuilder, ReasonAndOddValues) {
  MethodResult m = dmarc("fail", "example.org");
  m.reason = "p=reject; no aligned pass";
  MethodResult hostile;
  hostile.method = "x-evil;\r\nX-Injected";  // names from code are reduced to keywords
  hostile.result = "pass\r\n";
  const std::string field = format_field({"mx \"id\"", {m, hostile}}, 998);
  EXPECT_EQ(field,
            "Authentication-Results: \"mx \\\"id\\\"\"; dmarc=fail "
            "reason=\"p=reject; no aligned pass\" header.from=example.org; "
            "x-evilX-Injected=pass\r\n");
  EXPECT_EQ(field.find('\n'), field.size() - 1);  // no header injection
}

TEST(AuthresBuilder, LongElementStandsAlone) {
  const std::string long_b(100, 'A');
  const std::string field =
      format_field({"mx.example.org", {dkim("pass", "example.org", "s", long_b)}});
  EXPECT_NE(field.find("\r\n\theader.b=" + long_b + "\r\n"), std::string::npos) << field;
}

}  // namespace
}  // namespace postern::mailauth::authres
