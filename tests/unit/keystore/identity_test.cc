// The node identity: the file's creation, mode, format and tamper checks; NEK wrapping bound to
// the identity and the NEK's name; sealing for another keystore's public key.
#include "keystore/identity.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/unit/keystore/temp_dir.h"

namespace postern::keystore {
namespace {

using namespace std::string_literals;
using testing::TempDir;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

Identity make_identity() {
  Result<Identity> id = Identity::generate();
  EXPECT_TRUE(id.ok()) << id.error().message;
  return std::move(id).value();
}

Nek make_nek(const char* name) {
  Result<Nek> nek = Nek::generate(name);
  EXPECT_TRUE(nek.ok()) << nek.error().message;
  return std::move(nek).value();
}

class IdentityFileTest : public ::testing::Test {
 protected:
  // Creates the identity file and returns its public key.
  std::string create() {
    Result<Identity> id = Identity::create(path_);
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? id.value().public_key() : "";
  }

  Error load_error() {
    Result<Identity> id = Identity::load(path_);
    EXPECT_FALSE(id.ok());
    return id.ok() ? Error{} : id.error();
  }

  TempDir dir_;
  const std::string path_ = dir_ / "identity.key";
};

TEST_F(IdentityFileTest, CreateWritesPrivateFileThatLoads) {
  const std::string pk = create();
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, static_cast<off_t>(kIdentityFileBytes));
  const std::string bytes = read_file(path_);
  EXPECT_EQ(bytes.substr(0, 5), "PKID\x01"s);
  EXPECT_EQ(bytes.substr(5, 32), pk);
  EXPECT_EQ(bytes.find(pk, 37), std::string::npos);  // the public key appears once
  // The temp file was linked and removed: the directory holds the identity only.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.str()),
                          std::filesystem::directory_iterator()),
            1);

  Result<Identity> loaded = Identity::load(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded.value().public_key(), pk);
}

TEST_F(IdentityFileTest, CreateNeverReplacesAnExistingFile) {
  create();
  const std::string before = read_file(path_);
  Result<Identity> again = Identity::create(path_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::invalid_argument);
  EXPECT_NE(again.error().message.find(path_), std::string::npos);
  EXPECT_EQ(read_file(path_), before);
}

TEST_F(IdentityFileTest, LoadOrCreateCreatesOnceThenLoads) {
  Result<Identity> first = Identity::load_or_create(path_);
  ASSERT_TRUE(first.ok()) << first.error().message;
  Result<Identity> second = Identity::load_or_create(path_);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(first.value().public_key(), second.value().public_key());
}

TEST_F(IdentityFileTest, RefusesGroupOrOtherAccess) {
  create();
  for (mode_t mode : {0640, 0604, 0660, 0644, 0602}) {
    ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
    Error e = load_error();
    EXPECT_EQ(e.code, Errc::invalid_argument) << std::oct << mode;
    EXPECT_NE(e.message.find(path_), std::string::npos);
    EXPECT_NE(e.message.find("0600"), std::string::npos);
  }
  ASSERT_EQ(::chmod(path_.c_str(), 0400), 0);  // stricter than 0600 is fine
  EXPECT_TRUE(Identity::load(path_).ok());
}

TEST_F(IdentityFileTest, RefusesWrongSize) {
  create();
  const std::string bytes = read_file(path_);
  write_file(path_, bytes + "x");
  EXPECT_EQ(load_error().code, Errc::malformed);
  write_file(path_, bytes.substr(0, bytes.size() - 1));
  EXPECT_EQ(load_error().code, Errc::malformed);
  write_file(path_, "");
  EXPECT_EQ(load_error().code, Errc::malformed);
}

TEST_F(IdentityFileTest, RefusesBadMagicOrVersion) {
  create();
  std::string bytes = read_file(path_);
  bytes[0] = 'X';
  write_file(path_, bytes);
  EXPECT_EQ(load_error().code, Errc::malformed);
  bytes[0] = 'P';
  bytes[4] = 2;
  write_file(path_, bytes);
  EXPECT_EQ(load_error().code, Errc::unsupported_version);
}

TEST_F(IdentityFileTest, RefusesAlteredKeys) {
  create();
  const std::string bytes = read_file(path_);
  // Every bit of the keys and the check, including the secret bits X25519 clamps away
  // (the low 3 bits of byte 0, the top 2 of byte 31).
  for (std::size_t at = 5; at < bytes.size(); ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string altered = bytes;
      altered[at] = static_cast<char>(altered[at] ^ (1 << bit));
      write_file(path_, altered);
      Error e = load_error();
      EXPECT_EQ(e.code, Errc::malformed) << at << "/" << bit;
      EXPECT_NE(e.message.find("does not match"), std::string::npos) << e.message;
    }
  }
}

TEST_F(IdentityFileTest, RefusesSymlinkAndMissingFile) {
  Error missing = load_error();
  EXPECT_EQ(missing.code, Errc::resource);
  EXPECT_NE(missing.message.find(path_), std::string::npos);

  const std::string real = dir_ / "real.key";
  ASSERT_TRUE(Identity::create(real).ok());
  ASSERT_EQ(::symlink(real.c_str(), path_.c_str()), 0);
  EXPECT_FALSE(Identity::load(path_).ok());
}

TEST(IdentityTest, PublicKeyPrintsAndParses) {
  Identity id = make_identity();
  const std::string printed = id.public_key_base64();
  EXPECT_EQ(printed.size(), 44u);
  Result<std::string> parsed = parse_identity_public_key(printed);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value(), id.public_key());
  EXPECT_FALSE(parse_identity_public_key(printed.substr(0, 40)).ok());
  EXPECT_FALSE(parse_identity_public_key("not base64!").ok());
  EXPECT_FALSE(parse_identity_public_key("").ok());
}

TEST(IdentityTest, NekWrapRoundTripsAndHidesTheKey) {
  Identity id = make_identity();
  Nek nek = make_nek("main");
  Result<std::string> wrapped = id.wrap_nek(nek);
  ASSERT_TRUE(wrapped.ok()) << wrapped.error().message;
  EXPECT_EQ(wrapped.value().size(), kWrappedNekBytes);
  EXPECT_EQ(wrapped.value().substr(0, 5), "PKNW\x01"s);
  EXPECT_EQ(wrapped.value().find(nek.key().view().bytes()), std::string::npos);

  Result<Nek> back = id.unwrap_nek("main", wrapped.value());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value().name(), "main");
  EXPECT_EQ(back.value().fingerprint(), nek.fingerprint());
  EXPECT_TRUE(back.value().key().equals(nek.key()));
}

TEST(IdentityTest, NekUnwrapsOnlyUnderItsIdentityAndName) {
  Identity id = make_identity();
  Identity other = make_identity();
  Nek nek = make_nek("main");
  Result<std::string> wrapped = id.wrap_nek(nek);
  ASSERT_TRUE(wrapped.ok());
  Result<Nek> wrong_identity = other.unwrap_nek("main", wrapped.value());
  ASSERT_FALSE(wrong_identity.ok());
  EXPECT_EQ(wrong_identity.error().code, Errc::authentication_failed);
  Result<Nek> wrong_name = id.unwrap_nek("backup", wrapped.value());
  ASSERT_FALSE(wrong_name.ok());
  EXPECT_EQ(wrong_name.error().code, Errc::authentication_failed);
  EXPECT_EQ(id.unwrap_nek("bad name", wrapped.value()).error().code, Errc::invalid_argument);
}

TEST(IdentityTest, NekUnwrapRefusesEveryAlteredByte) {
  Identity id = make_identity();
  Result<std::string> wrapped = id.wrap_nek(make_nek("main"));
  ASSERT_TRUE(wrapped.ok());
  const std::string& w = wrapped.value();
  for (std::size_t i = 0; i < w.size(); ++i) {
    std::string altered = w;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    Result<Nek> r = id.unwrap_nek("main", altered);
    ASSERT_FALSE(r.ok()) << i;
    const Errc expected = i < 4    ? Errc::malformed
                          : i == 4 ? Errc::unsupported_version
                                   : Errc::authentication_failed;
    EXPECT_EQ(r.error().code, expected) << i;
  }
  for (std::size_t n : {0ul, 4ul, 5ul, w.size() - 1}) {
    EXPECT_EQ(id.unwrap_nek("main", w.substr(0, n)).error().code, Errc::malformed) << n;
  }
  EXPECT_EQ(id.unwrap_nek("main", w + "x").error().code, Errc::malformed);
}

TEST(IdentityTest, NekWrappedBeforeRestartUnwrapsAfter) {
  TempDir dir;
  const std::string path = dir / "identity.key";
  Nek nek = make_nek("main");
  std::string wrapped;
  {
    Result<Identity> id = Identity::create(path);
    ASSERT_TRUE(id.ok()) << id.error().message;
    Result<std::string> w = id.value().wrap_nek(nek);
    ASSERT_TRUE(w.ok());
    wrapped = w.value();
  }
  Result<Identity> loaded = Identity::load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  Result<Nek> back = loaded.value().unwrap_nek("main", wrapped);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back.value().fingerprint(), nek.fingerprint());
}

TEST(IdentityTest, SealForRecipientRoundTrips) {
  Identity recipient = make_identity();
  const std::string bundle = "bundle \x00\x01 bytes"s;
  Result<std::string> sealed = seal_for(recipient.public_key(), bundle);
  ASSERT_TRUE(sealed.ok()) << sealed.error().message;
  EXPECT_EQ(sealed.value().size(), kSealedForOverhead + bundle.size());
  EXPECT_EQ(sealed.value().substr(0, 5), "PKBX\x01"s);
  EXPECT_EQ(sealed.value().find(bundle), std::string::npos);
  Result<SecretBytes> opened = recipient.open_sealed(sealed.value());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened.value().view().bytes(), bundle);
}

TEST(IdentityTest, ThirdPartyCannotOpenASealedBlob) {
  Identity sender = make_identity();
  Identity recipient = make_identity();
  Identity third = make_identity();
  Result<std::string> sealed = seal_for(recipient.public_key(), "for the recipient only");
  ASSERT_TRUE(sealed.ok());
  for (const Identity* other : {&sender, &third}) {
    Result<SecretBytes> r = other->open_sealed(sealed.value());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::authentication_failed);
  }
}

TEST(IdentityTest, SealedBlobRefusesAlterationAndBadInput) {
  Identity recipient = make_identity();
  Result<std::string> sealed = seal_for(recipient.public_key(), "payload");
  ASSERT_TRUE(sealed.ok());
  const std::string& s = sealed.value();
  for (std::size_t i = 5; i < s.size(); ++i) {
    std::string altered = s;
    altered[i] = static_cast<char>(altered[i] ^ 0x80);
    EXPECT_EQ(recipient.open_sealed(altered).error().code, Errc::authentication_failed) << i;
  }
  EXPECT_EQ(recipient.open_sealed("PKBY" + s.substr(4)).error().code, Errc::malformed);
  EXPECT_EQ(recipient.open_sealed(s.substr(0, kSealedForOverhead)).error().code,
            Errc::malformed);
  EXPECT_EQ(recipient.open_sealed("").error().code, Errc::malformed);
  EXPECT_EQ(seal_for(recipient.public_key().substr(1), "x").error().code,
            Errc::invalid_argument);
  EXPECT_EQ(seal_for(recipient.public_key(), "").error().code, Errc::invalid_argument);
  EXPECT_EQ(seal_for(recipient.public_key(), std::string(kMaxSecretBytes + 1, 'x')).error().code,
            Errc::invalid_argument);
}

}  // namespace
}  // namespace postern::keystore
