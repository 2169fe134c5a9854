// base64 against the RFC 4648 section 10 test vectors, binary round trips, and a table of
// malformed inputs that must be refused whole.
#include "common/encoding/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace postern::encoding {
namespace {

TEST(Base64, Rfc4648Section10Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded) << plain;
    EXPECT_EQ(base64_decode(encoded), plain) << encoded;
  }
}

TEST(Base64, SaslStrings) {
  // The LOGIN challenges the edge sends and an AUTH PLAIN response (RFC 4616).
  EXPECT_EQ(base64_encode("Username:"), "VXNlcm5hbWU6");
  EXPECT_EQ(base64_encode("Password:"), "UGFzc3dvcmQ6");
  EXPECT_EQ(base64_encode(std::string("\0user\0pass", 10)), "AHVzZXIAcGFzcw==");
}

TEST(Base64, BinaryRoundTripUsesWholeAlphabet) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 1) {
    const std::string bytes = all.substr(0, n);
    const std::string text = base64_encode(bytes);
    EXPECT_EQ(text.size(), (n + 2) / 3 * 4);
    EXPECT_EQ(base64_decode(text), bytes) << n;
  }
  // "+" and "/" (values 62 and 63) both come out of 0xFB 0xFF.
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64_decode("+/8="), "\xfb\xff");
}

TEST(Base64, RefusesMalformed) {
  const char* bad[] = {
      "Zm9",        // length not a multiple of 4
      "Z",          //
      "=",          // padding alone
      "Zm=v",       // data after padding
      "a===",       // three padding characters
      "====",       //
      "ab==cd==",   // padding before the last quantum
      "Zm 9",       // whitespace
      "Zm9v\r\n",   // line break
      "Zm9v\n",     //
      "ab*d",       // outside the alphabet
      "Zm9-",       // base64url alphabet is not accepted
      "Zm9_",       //
  };
  for (const char* text : bad) EXPECT_EQ(base64_decode(text), std::nullopt) << text;
  // An embedded NUL is not alphabet either.
  EXPECT_EQ(base64_decode(std::string_view("Zg=\0", 4)), std::nullopt);
  EXPECT_EQ(base64_decode(std::string_view("Zm9\0", 4)), std::nullopt);
}

TEST(Base64, AcceptsNonZeroPadBits) {
  // RFC 4648 section 3.5 lets a decoder accept these; the bits under the padding are dropped.
  EXPECT_EQ(base64_decode("Zh=="), "f");
  EXPECT_EQ(base64_decode("Zm9="), "fo");
}

}  // namespace
}  // namespace postern::encoding
