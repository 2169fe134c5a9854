// NEK files under a password: export → import gives the same key and fingerprint; a wrong
// password, an altered file, a file that is not a NEK file, or one demanding absurd Argon2id
// limits each give their own clear error. INTERACTIVE limits keep the suite quick; one test
// runs the MODERATE default.
#include "keystore/password_wrap.h"

#include <gtest/gtest.h>

#include <string>

#include "keystore/seal.h"

namespace postern::keystore {
namespace {

using namespace std::string_literals;

// Offsets in the version-1 format (password_wrap.h).
constexpr std::size_t kOpsAt = 6;
constexpr std::size_t kMemAt = 14;
constexpr std::size_t kSaltAt = 22;
constexpr std::size_t kCheckAt = 38;
constexpr std::size_t kNonceAt = 54;
constexpr std::size_t kNameAt = 79;

class PasswordWrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Nek> n = Nek::generate("prod-eu");
    ASSERT_TRUE(n.ok()) << n.error().message;
    nek_.emplace(std::move(n).value());
    Result<std::string> f = export_nek(*nek_, "correct horse", PasswordLimits::interactive());
    ASSERT_TRUE(f.ok()) << f.error().message;
    file_ = std::move(f).value();
  }

  Errc import_error(const std::string& file, std::string_view password = "correct horse") {
    Result<Nek> r = import_nek(file, password);
    EXPECT_FALSE(r.ok());
    return r.ok() ? Errc::resource : r.error().code;
  }

  std::optional<Nek> nek_;
  std::string file_;
};

TEST_F(PasswordWrapTest, RoundTripKeepsKeyNameAndFingerprint) {
  EXPECT_EQ(file_.substr(0, 6), "PNEK\x01\x01"s);
  EXPECT_EQ(file_.size(), kNameAt + 7 + 32 + 16);
  EXPECT_EQ(file_.find(nek_->key().view().bytes()), std::string::npos);
  Result<Nek> back = import_nek(file_, "correct horse");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value().name(), "prod-eu");
  EXPECT_EQ(back.value().fingerprint(), nek_->fingerprint());
  EXPECT_TRUE(back.value().key().equals(nek_->key()));
  // And the imported key opens what the original sealed.
  Result<std::string> sealed = seal(*nek_, {"secret", "relay"}, "hunter2");
  ASSERT_TRUE(sealed.ok());
  Result<SecretBytes> opened = open(back.value(), {"secret", "relay"}, sealed.value());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened.value().view().bytes(), "hunter2");
}

TEST_F(PasswordWrapTest, ModerateDefaultRoundTrips) {
  Result<std::string> f = export_nek(*nek_, "pw");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_NE(f.value().substr(kSaltAt, 16), file_.substr(kSaltAt, 16));  // fresh salt
  Result<Nek> back = import_nek(f.value(), "pw");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value().fingerprint(), nek_->fingerprint());
}

TEST_F(PasswordWrapTest, WrongPassword) {
  EXPECT_EQ(import_error(file_, "correct horsE"), Errc::wrong_password);
  EXPECT_EQ(import_error(file_, "correct horse "), Errc::wrong_password);
}

TEST_F(PasswordWrapTest, AlteredContentsAreTampered) {
  // With the right password, a change to the nonce, the name or the ciphertext is caught
  // by the AEAD and reported as tampering.
  for (const std::size_t at : {kNonceAt, kNonceAt + 23, kNameAt, kNameAt + 6, kNameAt + 7,
                               kNameAt + 7 + 31, file_.size() - 1}) {
    std::string bad = file_;
    bad[at] = static_cast<char>(bad[at] ^ 0x02);
    EXPECT_EQ(import_error(bad), Errc::tampered) << at;
  }
}

TEST_F(PasswordWrapTest, AlteredKdfInputsReadAsWrongPassword) {
  for (const std::size_t at : {kSaltAt, kSaltAt + 15, kCheckAt, kCheckAt + 15}) {
    std::string bad = file_;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    EXPECT_EQ(import_error(bad), Errc::wrong_password) << at;
  }
  std::string more_ops = file_;
  more_ops[kOpsAt + 7] = static_cast<char>(more_ops[kOpsAt + 7] + 1);  // 2 → 3 passes
  EXPECT_EQ(import_error(more_ops), Errc::wrong_password);
}

TEST_F(PasswordWrapTest, AbsurdLimitsAreRefusedBeforeHashing) {
  std::string huge_mem = file_;
  huge_mem[kMemAt] = '\x01';  // 2^56 bytes: must be refused, not attempted
  EXPECT_EQ(import_error(huge_mem), Errc::invalid_argument);
  std::string tiny_ops = file_;
  tiny_ops[kOpsAt + 7] = '\x01';
  EXPECT_EQ(import_error(tiny_ops), Errc::invalid_argument);
  EXPECT_EQ(export_nek(*nek_, "pw", {1, 1 << 20}).error().code, Errc::invalid_argument);
  EXPECT_EQ(export_nek(*nek_, "pw", {100, PasswordLimits::interactive().memlimit}).error().code,
            Errc::invalid_argument);
}

TEST_F(PasswordWrapTest, NotANekFile) {
  Result<std::string> sealed = seal(*nek_, {"secret", "x"}, "y");
  ASSERT_TRUE(sealed.ok());
  for (const std::string& junk : {""s, "PNE"s, "PNEX\x01"s, sealed.value(),
                                  "-----BEGIN PRIVATE KEY-----\n"s}) {
    EXPECT_EQ(import_error(junk), Errc::malformed);
  }
}

TEST_F(PasswordWrapTest, VersionsAndKdf) {
  std::string v2 = file_;
  v2[4] = '\x02';
  EXPECT_EQ(import_error(v2), Errc::unsupported_version);
  std::string kdf = file_;
  kdf[5] = '\x02';
  EXPECT_EQ(import_error(kdf), Errc::unsupported_version);
}

TEST_F(PasswordWrapTest, TruncatedOrExtended) {
  for (std::size_t len = 5; len < file_.size(); ++len) {
    EXPECT_EQ(import_error(file_.substr(0, len)), Errc::malformed) << len;
  }
  EXPECT_EQ(import_error(file_ + "\n"), Errc::malformed);
}

TEST_F(PasswordWrapTest, InvalidNameInFile) {
  std::string spaced = file_;
  spaced[kNameAt + 2] = ' ';
  EXPECT_EQ(import_error(spaced), Errc::malformed);
  std::string empty_name = file_.substr(0, kNameAt - 1) + '\0' + file_.substr(kNameAt + 7);
  EXPECT_EQ(import_error(empty_name), Errc::malformed);
}

TEST_F(PasswordWrapTest, PasswordBounds) {
  EXPECT_EQ(export_nek(*nek_, "", PasswordLimits::interactive()).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(import_error(file_, ""), Errc::invalid_argument);
  EXPECT_EQ(import_error(file_, std::string(kMaxPasswordBytes + 1, 'p')),
            Errc::invalid_argument);
}

}  // namespace
}  // namespace postern::keystore
