#include "edge/sasl.h"

#include <gtest/gtest.h>

#include <vector>

namespace postern::edge {
namespace {

TEST(Base64, RoundTripAndStrictness) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0x\0y", 4)}) {
    auto d = base64_decode(base64_encode(s).empty() ? "=" : base64_encode(s));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(base64_encode("Username:"), "VXNlcm5hbWU6");
  EXPECT_FALSE(base64_decode(""));
  EXPECT_FALSE(base64_decode("abc"));
  EXPECT_FALSE(base64_decode("ab=c"));
  EXPECT_FALSE(base64_decode("a==="));
  EXPECT_FALSE(base64_decode("ab==cd=="));
  EXPECT_FALSE(base64_decode("ab cd"));
  EXPECT_FALSE(base64_decode("ab*d"));
}

TEST(ParsePlain, Rfc4616) {
  auto c = parse_plain(std::string("\0user\0pw", 8));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "user");
  EXPECT_EQ(c->password, "pw");
  EXPECT_TRUE(parse_plain(std::string("user\0user\0pw", 12)));
  EXPECT_FALSE(parse_plain(std::string("other\0user\0pw", 13)));
  EXPECT_FALSE(parse_plain(std::string("\0user", 5)));
  EXPECT_FALSE(parse_plain(std::string("\0\0pw", 4)));
  EXPECT_FALSE(parse_plain(std::string("\0user\0", 6)));
  EXPECT_FALSE(parse_plain(std::string("\0u\0p\0x", 7)));
}

}  // namespace
}  // namespace postern::edge
