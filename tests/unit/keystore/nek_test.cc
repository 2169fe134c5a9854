// Named encryption keys: random generation, the fingerprint format and a known answer
// computed independently (Python's hashlib.blake2b), and name validation.
#include "keystore/nek.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace postern::keystore {
namespace {

TEST(NekTest, GeneratedKeysAreDistinctAndFingerprinted) {
  Result<Nek> a = Nek::generate("main");
  Result<Nek> b = Nek::generate("main");
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(a.value().name(), "main");
  EXPECT_EQ(a.value().key().size(), kNekBytes);
  EXPECT_FALSE(a.value().key().equals(b.value().key()));
  EXPECT_NE(a.value().fingerprint(), b.value().fingerprint());
  EXPECT_TRUE(std::regex_match(a.value().fingerprint(),
                               std::regex("[0-9a-f]{4}( [0-9a-f]{4}){7}")))
      << a.value().fingerprint();
}

TEST(NekTest, FingerprintKnownAnswer) {
  // hashlib.blake2b(bytes(32), digest_size=32, key=b"postern/v1/nek-fingerprint"), first 16.
  Result<Nek> zero = Nek::from_bytes("zero", std::string(32, '\0'));
  ASSERT_TRUE(zero.ok()) << zero.error().message;
  EXPECT_EQ(zero.value().fingerprint(), "fa6f 13f7 8cc5 f735 7eea 201c a904 493f");
}

TEST(NekTest, SameBytesSameFingerprintWhateverTheName) {
  Result<Nek> a = Nek::generate("a");
  ASSERT_TRUE(a.ok());
  Result<Nek> b = Nek::from_bytes("b", a.value().key().view().bytes());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a.value().fingerprint(), b.value().fingerprint());
  EXPECT_TRUE(a.value().key().equals(b.value().key()));
}

TEST(NekTest, WrongKeySizeIsRefused) {
  for (const std::size_t size : {std::size_t{0}, std::size_t{31}, std::size_t{33}}) {
    Result<Nek> n = Nek::from_bytes("n", std::string(size, 'k'));
    ASSERT_FALSE(n.ok()) << size;
    EXPECT_EQ(n.error().code, Errc::invalid_argument);
  }
}

TEST(NekTest, NameRules) {
  struct Case {
    std::string name;
    bool valid;
  };
  const Case cases[] = {
      {"main", true},
      {"prod-2024.eu_west+1@acme", true},
      {std::string(64, 'x'), true},
      {"", false},
      {std::string(65, 'x'), false},
      {"has space", false},
      {"tab\there", false},
      {std::string("nul\0", 4), false},
      {"caf\xc3\xa9", false},
      {"del\x7f", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(valid_nek_name(c.name), c.valid) << c.name;
    EXPECT_EQ(Nek::generate(c.name).ok(), c.valid) << c.name;
  }
}

TEST(NekTest, GroupedHex) {
  EXPECT_EQ(grouped_hex(""), "");
  EXPECT_EQ(grouped_hex("\x01"), "01");
  EXPECT_EQ(grouped_hex("\x01\xab"), "01ab");
  EXPECT_EQ(grouped_hex("\x01\xab\xff"), "01ab ff");
  EXPECT_EQ(grouped_hex(std::string_view("\x01\xab\xff\x00", 4)), "01ab ff00");
}

}  // namespace
}  // namespace postern::keystore
