#include "edge/sasl.h"

#include <gtest/gtest.h>

#include <string>

namespace postern::edge {
namespace {

// base64 itself is tested in tests/unit/common/encoding; here only what SASL adds to it.
TEST(DecodeResponse, EmptyResponseAndStrictBase64) {
  EXPECT_EQ(decode_response("="), "");  // RFC 4954: "=" is the empty initial response
  EXPECT_EQ(decode_response("AHVzZXIAcHc="), std::string("\0user\0pw", 8));
  EXPECT_EQ(decode_response("VXNlcm5hbWU6"), "Username:");
  EXPECT_EQ(decode_response(""), std::nullopt);
  EXPECT_EQ(decode_response("=="), std::nullopt);
  EXPECT_EQ(decode_response("abc"), std::nullopt);
  EXPECT_EQ(decode_response("ab cd"), std::nullopt);
  EXPECT_EQ(decode_response("not-base64!"), std::nullopt);
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
