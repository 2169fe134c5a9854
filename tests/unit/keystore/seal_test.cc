// Sealed entries: round trip, and every way a sealed entry can be misused (another NEK,
// another kind or name, any altered or missing byte) ends in a clean error with no output.
#include "keystore/seal.h"

#include <gtest/gtest.h>

#include <string>

namespace postern::keystore {
namespace {

using namespace std::string_literals;

constexpr std::size_t kHeader = 4 + 1 + 24;  // magic, version, nonce
constexpr std::size_t kTag = 16;

class SealTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Nek> n = Nek::generate("main");
    ASSERT_TRUE(n.ok()) << n.error().message;
    nek_.emplace(std::move(n).value());
  }

  const Nek& nek() const { return *nek_; }

  std::optional<Nek> nek_;
  const std::string dkim_name_ = "martdj.nl\0ed20240705"s;
  const EntryId id_{"dkim", dkim_name_};
  const std::string plaintext_ = "private key DER\x00\x01\x02"s;
};

TEST_F(SealTest, AssociatedDataFormat) {
  EXPECT_EQ(entry_associated_data(id_), "postern/v1/dkim\0martdj.nl\0ed20240705"s);
  EXPECT_EQ(entry_associated_data({"secret", "relay"}), "postern/v1/secret\0relay"s);
}

TEST_F(SealTest, RoundTrip) {
  Result<std::string> sealed = seal(nek(), id_, plaintext_);
  ASSERT_TRUE(sealed.ok()) << sealed.error().message;
  EXPECT_EQ(sealed.value().size(), kHeader + plaintext_.size() + kTag);
  EXPECT_EQ(sealed.value().substr(0, 5), "PKSE\x01"s);
  EXPECT_EQ(sealed.value().find(plaintext_), std::string::npos);
  Result<SecretBytes> opened = open(nek(), id_, sealed.value());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened.value().view().bytes(), plaintext_);
}

TEST_F(SealTest, NonceIsFreshEachTime) {
  Result<std::string> a = seal(nek(), id_, plaintext_);
  Result<std::string> b = seal(nek(), id_, plaintext_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a.value().substr(5, 24), b.value().substr(5, 24));
  EXPECT_NE(a.value(), b.value());
}

TEST_F(SealTest, WrongNekFails) {
  Result<std::string> sealed = seal(nek(), id_, plaintext_);
  ASSERT_TRUE(sealed.ok());
  Result<Nek> other = Nek::generate("main");  // same name, another key
  ASSERT_TRUE(other.ok());
  Result<SecretBytes> opened = open(other.value(), id_, sealed.value());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, Errc::authentication_failed);
}

TEST_F(SealTest, SwappedKindOrNameFails) {
  Result<std::string> sealed = seal(nek(), id_, plaintext_);
  ASSERT_TRUE(sealed.ok());
  const std::string other_selector = "martdj.nl\0rsa20240705"s;
  const std::string other_domain = "example.nl\0ed20240705"s;
  // The same bytes split differently between domain and selector are another entry too.
  const std::string shifted = "martdj.nl\0\0ed20240705"s;
  const EntryId others[] = {
      {"secret", dkim_name_},       {"dkim", other_selector}, {"dkim", other_domain},
      {"dkim", shifted},            {"dkim", "martdj.nl"},
  };
  for (const EntryId& other : others) {
    Result<SecretBytes> opened = open(nek(), other, sealed.value());
    ASSERT_FALSE(opened.ok()) << other.kind << "/" << other.name;
    EXPECT_EQ(opened.error().code, Errc::authentication_failed);
  }
}

TEST_F(SealTest, EveryFlippedBitFails) {
  Result<std::string> sealed = seal(nek(), id_, plaintext_);
  ASSERT_TRUE(sealed.ok());
  for (std::size_t i = 0; i < sealed.value().size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = sealed.value();
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      Result<SecretBytes> opened = open(nek(), id_, bad);
      ASSERT_FALSE(opened.ok()) << "byte " << i << " bit " << bit;
      const Errc expected = i < 4   ? Errc::malformed
                            : i == 4 ? Errc::unsupported_version
                                     : Errc::authentication_failed;
      EXPECT_EQ(opened.error().code, expected) << "byte " << i << " bit " << bit;
    }
  }
}

TEST_F(SealTest, EveryTruncationAndExtensionFails) {
  Result<std::string> sealed = seal(nek(), id_, plaintext_);
  ASSERT_TRUE(sealed.ok());
  const std::string& s = sealed.value();
  for (std::size_t len = 0; len < s.size(); ++len) {
    Result<SecretBytes> opened = open(nek(), id_, s.substr(0, len));
    ASSERT_FALSE(opened.ok()) << len;
    EXPECT_NE(opened.error().code, Errc::resource) << len;
  }
  Result<SecretBytes> longer = open(nek(), id_, s + "x");
  ASSERT_FALSE(longer.ok());
  EXPECT_EQ(longer.error().code, Errc::authentication_failed);
}

TEST_F(SealTest, InvalidIdsAndSizesAreRefused) {
  const std::string big(kMaxSecretBytes + 1, 'p');
  struct Case {
    EntryId id;
    std::string_view plaintext;
  };
  const std::string long_name(kMaxEntryNameBytes + 1, 'n');
  const std::string nul_kind = "dk\0im"s;
  const Case cases[] = {
      {{"", "n"}, "p"},        {{"DKIM", "n"}, "p"},    {{"dkim/v2", "n"}, "p"},
      {{nul_kind, "n"}, "p"},  {{std::string_view("k123456789012345678901234567890123"), "n"}, "p"},
      {{"dkim", ""}, "p"},     {{"dkim", long_name}, "p"},
      {{"dkim", "n"}, ""},     {{"dkim", "n"}, big},
  };
  for (const Case& c : cases) {
    Result<std::string> sealed = seal(nek(), c.id, c.plaintext);
    ASSERT_FALSE(sealed.ok()) << c.id.kind << "/" << c.id.name.size();
    EXPECT_EQ(sealed.error().code, Errc::invalid_argument);
  }
  EXPECT_TRUE(seal(nek(), {"k12345678901234567890123456789-2", "n"}, "p").ok());
  EXPECT_TRUE(seal(nek(), {"dkim", std::string(kMaxEntryNameBytes, 'n')}, "p").ok());
  Result<std::string> largest = seal(nek(), id_, std::string(kMaxSecretBytes, 'p'));
  ASSERT_TRUE(largest.ok());
  EXPECT_TRUE(open(nek(), id_, largest.value()).ok());
}

TEST_F(SealTest, NotASealedEntry) {
  for (const std::string& junk : {""s, "PKS"s, "-----BEGIN PRIVATE KEY-----"s,
                                  std::string(100, '\0')}) {
    Result<SecretBytes> opened = open(nek(), id_, junk);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code, Errc::malformed);
  }
}

}  // namespace
}  // namespace postern::keystore
