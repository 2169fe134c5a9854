// The vault's name rules (names.h): domain and selector normalization, the DKIM entry name
// round trip, secret names.
#include "keystore/names.h"

#include <gtest/gtest.h>

#include <string>

namespace postern::keystore {
namespace {

using namespace std::string_literals;

TEST(NamesTest, DomainsAreNormalized) {
  const std::pair<const char*, const char*> good[] = {
      {"example.com", "example.com"},       {"Example.COM.", "example.com"},
      {"xn--bcher-kva.de", "xn--bcher-kva.de"}, {"a-b.c0", "a-b.c0"},
      {"localhost", "localhost"},
  };
  for (const auto& [in, want] : good) {
    Result<std::string> d = normalize_domain(in);
    ASSERT_TRUE(d.ok()) << in << ": " << d.error().message;
    EXPECT_EQ(d.value(), want);
  }
  const std::string long_label(64, 'a');
  const std::string long_name = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                                std::string(63, 'c') + "." + std::string(62, 'd');  // 254
  for (const std::string& bad :
       {""s, "."s, "a..b"s, ".a"s, "-a.com"s, "a-.com"s, "a_b.com"s, "a b.com"s,
        "b\xc3\xbc" "cher.de"s, "a\0b"s, long_label + ".com", long_name, "a.com.."s}) {
    Result<std::string> d = normalize_domain(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.error().code, Errc::invalid_argument);
    EXPECT_EQ(d.error().message.find('\0'), std::string::npos);
  }
  EXPECT_NE(normalize_domain("b\xc3\xbc" "cher.de").error().message.find("A-label"),
            std::string::npos);
  EXPECT_TRUE(normalize_domain(long_name.substr(1)).ok());  // 253 is the limit
}

TEST(NamesTest, SelectorsFollowRfc6376AndAreLowerCased) {
  Result<DkimName> n = normalize_dkim_name("MartDJ.nl.", "Ed20240705");
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(n.value().domain, "martdj.nl");
  EXPECT_EQ(n.value().selector, "ed20240705");
  EXPECT_EQ(n.value().dns_name(), "ed20240705._domainkey.martdj.nl");
  EXPECT_EQ(n.value().entry_name(), "martdj.nl\0ed20240705"s);
  EXPECT_TRUE(normalize_dkim_name("example.com", "s1.eu-west").ok());
  for (const char* bad : {"", "s_1", "-s", "s-", "s..1", "s.", "s 1", "s/1"}) {
    Result<DkimName> r = normalize_dkim_name("example.com", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
  }
  // SELECTOR._domainkey.DOMAIN must fit in a DNS name.
  const std::string domain = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                             std::string(63, 'c');
  EXPECT_TRUE(normalize_dkim_name(domain, "s").ok());
  EXPECT_FALSE(normalize_dkim_name(domain, std::string(63, 's')).ok());
}

TEST(NamesTest, EntryNamesRoundTripAndRejectOtherShapes) {
  const std::optional<DkimName> n = parse_dkim_entry_name("example.com\0s1"s);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->domain, "example.com");
  EXPECT_EQ(n->selector, "s1");
  EXPECT_FALSE(parse_dkim_entry_name("example.com").has_value());
  EXPECT_FALSE(parse_dkim_entry_name("Example.com\0s1"s).has_value());  // not normalized
  EXPECT_FALSE(parse_dkim_entry_name("example.com\0s1\0x"s).has_value());
}

TEST(NamesTest, SecretNames) {
  for (const char* good : {"relay", "smtp.example.com", "user@host+tag", "A_b-9"}) {
    EXPECT_EQ(check_secret_name(good), std::nullopt) << good;
  }
  for (const std::string& bad : {""s, "a b"s, "a/b"s, "a\nb"s, std::string(129, 'x')}) {
    const std::optional<Error> e = check_secret_name(bad);
    ASSERT_TRUE(e.has_value()) << bad;
    EXPECT_EQ(e->code, Errc::invalid_argument);
  }
  EXPECT_EQ(check_secret_name(std::string(128, 'x')), std::nullopt);
}

}  // namespace
}  // namespace postern::keystore
