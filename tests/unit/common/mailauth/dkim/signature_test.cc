#include "common/mailauth/dkim/signature.h"

#include <gtest/gtest.h>

#include <string>

namespace postern::mailauth::dkim {
namespace {

// A valid signature; each case below replaces or removes one tag.
std::string with(const std::string& replace_tag, const std::string& replacement) {
  const std::vector<std::pair<std::string, std::string>> base = {
      {"v", "1"},           {"a", "rsa-sha256"},       {"c", "relaxed/simple"},
      {"d", "Example.ORG"}, {"s", "sel.2024"},         {"h", "from : to:subject"},
      {"bh", "AAAA"},       {"b", "QUJD\r\n REVG"},
  };
  std::string out;
  for (const auto& [name, value] : base) {
    if (name == replace_tag) {
      if (!replacement.empty()) out += replacement + "; ";
    } else {
      out += name + "=" + value + "; ";
    }
  }
  if (replace_tag.empty()) out += replacement;
  return out;
}

TEST(ParseSignature, ValidFields) {
  const SignatureParse p = parse_signature(
      with("", "i=joe@mail.example.org; l=42; q=dns/txt; t=100; x=200; z=From:x"));
  ASSERT_TRUE(p.ok()) << p.error->reason;
  const Signature& s = p.signature;
  EXPECT_EQ(s.algorithm, Algorithm::rsa_sha256);
  EXPECT_EQ(s.header_canon, Canon::relaxed);
  EXPECT_EQ(s.body_canon, Canon::simple);
  EXPECT_EQ(s.domain, "example.org");
  EXPECT_EQ(s.selector, "sel.2024");
  EXPECT_EQ(s.signed_headers, (std::vector<std::string>{"from", "to", "subject"}));
  EXPECT_EQ(s.identity, "joe@mail.example.org");
  EXPECT_EQ(s.body_length, 42u);
  EXPECT_EQ(s.timestamp, 100u);
  EXPECT_EQ(s.expiration, 200u);
  EXPECT_EQ(s.signature, "ABCDEF");
  EXPECT_EQ(s.b_text, "QUJDREVG");
  EXPECT_EQ(s.body_hash, std::string(3, '\0'));
  EXPECT_EQ(key_name(s), "sel.2024._domainkey.example.org");
}

TEST(ParseSignature, Defaults) {
  const SignatureParse p = parse_signature(with("c", ""));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.signature.header_canon, Canon::simple);
  EXPECT_EQ(p.signature.body_canon, Canon::simple);
  EXPECT_EQ(p.signature.identity, "@example.org");
  EXPECT_FALSE(p.signature.body_length.has_value());
  const SignatureParse relaxed_only = parse_signature(with("c", "c=relaxed"));
  ASSERT_TRUE(relaxed_only.ok());
  EXPECT_EQ(relaxed_only.signature.header_canon, Canon::relaxed);
  EXPECT_EQ(relaxed_only.signature.body_canon, Canon::simple);
  const SignatureParse ed = parse_signature(with("a", "a=ed25519-sha256"));
  ASSERT_TRUE(ed.ok());
  EXPECT_EQ(ed.signature.algorithm, Algorithm::ed25519_sha256);
}

TEST(ParseSignature, RsaSha1ParsesForTheVerifierToFail) {
  const SignatureParse p = parse_signature(with("a", "a=rsa-sha1"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.signature.algorithm, Algorithm::rsa_sha1);
}

struct Bad {
  const char* name;
  std::string value;
  Result result;
};

TEST(ParseSignature, Rejects) {
  const Bad cases[] = {
      {"tag syntax", "v=1; a", Result::permerror},
      {"missing v", with("v", ""), Result::permerror},
      {"missing a", with("a", ""), Result::permerror},
      {"missing b", with("b", ""), Result::permerror},
      {"missing bh", with("bh", ""), Result::permerror},
      {"missing d", with("d", ""), Result::permerror},
      {"missing h", with("h", ""), Result::permerror},
      {"missing s", with("s", ""), Result::permerror},
      {"version 2", with("v", "v=2"), Result::neutral},
      {"unknown algorithm", with("a", "a=rsa-sha512"), Result::neutral},
      {"unknown canonicalization", with("c", "c=relaxed/nowsp"), Result::neutral},
      {"q without dns/txt", with("", "q=http"), Result::neutral},
      {"b not base64", with("b", "b=AB$CD"), Result::permerror},
      {"b empty", with("b", "b="), Result::permerror},
      {"bh not base64", with("bh", "bh=A"), Result::permerror},
      {"d empty label", with("d", "d=example..org"), Result::permerror},
      {"d with space", with("d", "d=exa mple.org"), Result::permerror},
      {"s invalid", with("s", "s=sel/1"), Result::permerror},
      {"h without from", with("h", "h=to:subject"), Result::permerror},
      {"h empty element", with("h", "h=from::to"), Result::permerror},
      {"i outside d", with("", "i=joe@example.com"), Result::permerror},
      {"i suffix but not subdomain", with("", "i=@badexample.org"), Result::permerror},
      {"i without at", with("", "i=example.org"), Result::permerror},
      {"l not a number", with("", "l=12a"), Result::permerror},
      {"l too long", with("", "l=1234567890123456"), Result::permerror},
      {"t negative", with("", "t=-1"), Result::permerror},
      {"x before t", with("", "t=200; x=100"), Result::permerror},
      {"x equal to t", with("", "t=200; x=200"), Result::permerror},
  };
  for (const auto& c : cases) {
    const SignatureParse p = parse_signature(c.value);
    ASSERT_FALSE(p.ok()) << c.name;
    EXPECT_EQ(p.error->result, c.result) << c.name << ": " << p.error->reason;
    EXPECT_FALSE(p.error->reason.empty()) << c.name;
  }
}

TEST(ParseSignature, FailureStillReportsIdentity) {
  const SignatureParse p = parse_signature(with("h", "h=to"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.signature.domain, "example.org");
  EXPECT_EQ(p.signature.selector, "sel.2024");
  EXPECT_EQ(p.algorithm_text, "rsa-sha256");
  EXPECT_EQ(p.signature.b_text, "QUJDREVG");
}

TEST(ParseSignature, ManySignedHeadersCapped) {
  std::string h = "h=from";
  for (int i = 0; i < 70; ++i) h += ":x" + std::to_string(i);
  EXPECT_FALSE(parse_signature(with("h", h)).ok());
}

TEST(CheckTimes, SkewAndExpiry) {
  Signature s;
  s.timestamp = 1000;
  s.expiration = 2000;
  EXPECT_FALSE(check_times(s, 1500, 300).has_value());
  EXPECT_FALSE(check_times(s, 701, 300).has_value());  // t= 299 s ahead: within skew
  ASSERT_TRUE(check_times(s, 699, 300).has_value());
  EXPECT_EQ(check_times(s, 699, 300)->result, Result::policy);
  EXPECT_FALSE(check_times(s, 2300, 300).has_value());
  ASSERT_TRUE(check_times(s, 2301, 300).has_value());
  EXPECT_EQ(check_times(s, 2301, 300)->reason, "signature expired (x=)");
  EXPECT_FALSE(check_times(Signature{}, 0, 0).has_value());
}

TEST(IdentityWithin, SubdomainsAndStrict) {
  EXPECT_TRUE(identity_within("@Example.org", "example.org", false));
  EXPECT_TRUE(identity_within("a@mail.example.org", "example.org", false));
  EXPECT_FALSE(identity_within("a@mail.example.org", "example.org", true));
  EXPECT_TRUE(identity_within("a@example.org", "example.org", true));
  EXPECT_FALSE(identity_within("a@xexample.org", "example.org", false));
  EXPECT_FALSE(identity_within("a@org", "example.org", false));
}

}  // namespace
}  // namespace postern::mailauth::dkim
