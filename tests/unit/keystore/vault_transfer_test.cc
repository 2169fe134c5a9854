// Moving keys between two keystores (two vaults, each with its own RocksDB and identity):
// NEK files (same fingerprint on the other side, idempotent, overwrite rules, wrong password
// and tampered file change nothing) and DKIM bundles by password and by recipient into a vault
// whose credential store uses another NEK (same fingerprints and times, the receiver signs
// verifiably, import twice is idempotent, conflicts refuse the whole bundle, tampered bundles
// and bundles for another identity are refused and change nothing).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/keystore/vault_fixture.h"

namespace postern::keystore {
namespace {

using testing::make_pem;
using testing::test_digest;
using testing::VaultNode;
using testing::verifies;

std::vector<std::string> fingerprints(const std::vector<DkimKeyInfo>& keys) {
  std::vector<std::string> out;
  for (const DkimKeyInfo& k : keys) out.push_back(k.dns_name + " " + k.fingerprint);
  return out;
}

std::vector<std::string> listed(KeyVault& vault) {
  Result<std::vector<DkimKeyInfo>> keys = vault.list_dkim();
  EXPECT_TRUE(keys.ok()) << keys.error().message;
  return keys.ok() ? fingerprints(keys.value()) : std::vector<std::string>{};
}

BundleProtection by_password(std::string password) {
  BundleProtection p;
  p.password = std::move(password);
  p.limits = PasswordLimits::interactive();
  return p;
}

BundleProtection for_recipient(const KeyVault& recipient) {
  BundleProtection p;
  p.recipient_public_key = recipient.identity().public_key();
  return p;
}

TEST(VaultNekTransferTest, ExportImportKeepsTheFingerprint) {
  VaultNode a;
  VaultNode b;
  Result<NekInfo> nek = a.vault().create_nek("prod");
  ASSERT_TRUE(nek.ok());
  Result<std::string> file =
      a.vault().export_nek("prod", "nek password", PasswordLimits::interactive());
  ASSERT_TRUE(file.ok()) << file.error().message;

  Result<NekInfo> wrong = b.vault().import_nek(file.value(), "nek passworD", false);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Errc::wrong_password);
  std::string altered = file.value();
  altered[altered.size() - 5] ^= 0x01;
  Result<NekInfo> tampered = b.vault().import_nek(altered, "nek password", false);
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.error().code, Errc::tampered);
  EXPECT_EQ(b.vault().import_nek("garbage", "nek password", false).error().code,
            Errc::malformed);
  EXPECT_TRUE(b.vault().list_neks().value().empty());  // nothing changed

  Result<NekInfo> imported = b.vault().import_nek(file.value(), "nek password", false);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported.value().name, "prod");
  EXPECT_EQ(imported.value().fingerprint, nek.value().fingerprint);
  Result<NekInfo> again = b.vault().import_nek(file.value(), "nek password", false);
  ASSERT_TRUE(again.ok()) << again.error().message;  // idempotent
  EXPECT_EQ(b.vault().list_neks().value().size(), 1u);

  // Survives a restart of B (stored wrapped under B's identity).
  b.reopen();
  ASSERT_EQ(b.vault().list_neks().value().size(), 1u);
  EXPECT_EQ(b.vault().list_neks().value()[0].fingerprint, nek.value().fingerprint);
}

TEST(VaultNekTransferTest, AnotherKeyOfTheSameNameNeedsOverwriteAndNeverReplacesTheCredstoreNek) {
  VaultNode a;
  VaultNode b;
  ASSERT_TRUE(a.vault().create_nek("main").ok());
  Result<std::string> file = a.vault().export_nek("main", "pw", PasswordLimits::interactive());
  ASSERT_TRUE(file.ok());
  Result<NekInfo> own = b.vault().create_nek("main");
  ASSERT_TRUE(own.ok());

  Result<NekInfo> refused = b.vault().import_nek(file.value(), "pw", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::already_exists);
  EXPECT_EQ(b.vault().list_neks().value()[0].fingerprint, own.value().fingerprint);

  ASSERT_TRUE(b.vault().create_credstore("main").ok());  // "main" now seals B's credstore
  Result<NekInfo> sealing = b.vault().import_nek(file.value(), "pw", true);
  ASSERT_FALSE(sealing.ok());
  EXPECT_EQ(sealing.error().code, Errc::invalid_argument);
  EXPECT_NE(sealing.error().message.find("credential store"), std::string::npos);
  EXPECT_EQ(b.vault().list_neks().value()[0].fingerprint, own.value().fingerprint);

  // A NEK that seals nothing may be replaced.
  ASSERT_TRUE(a.vault().create_nek("spare").ok());
  ASSERT_TRUE(b.vault().create_nek("spare").ok());
  Result<std::string> spare = a.vault().export_nek("spare", "pw", PasswordLimits::interactive());
  ASSERT_TRUE(spare.ok());
  Result<NekInfo> replaced = b.vault().import_nek(spare.value(), "pw", true);
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  EXPECT_EQ(replaced.value().fingerprint, a.vault().list_neks().value()[1].fingerprint);
}

class VaultBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_.init_credstore("source-nek");
    dest_.init_credstore("dest-nek");  // another NEK: entries are re-sealed on import
    source_.set_now(1'600'000'000);
    ASSERT_TRUE(source_.vault().create_dkim("example.com", "rsa1", KeyType::rsa, 1024).ok());
    source_.set_now(1'600'000'100);
    ASSERT_TRUE(source_.vault().create_dkim("example.com", "ed1", KeyType::ed25519, 0).ok());
    ASSERT_TRUE(
        source_.vault().import_dkim("example.org", "imp", make_pem(1024, true).pem, false).ok());
    Result<std::vector<DkimKeyInfo>> keys = source_.vault().list_dkim();
    ASSERT_TRUE(keys.ok());
    keys_ = keys.value();
    ASSERT_EQ(keys_.size(), 3u);
    dest_.set_now(1'800'000'000);
  }

  // The destination holds exactly the source's keys, with their times, and signs with them.
  void expect_transferred() {
    Result<std::vector<DkimKeyInfo>> got = dest_.vault().list_dkim();
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(fingerprints(got.value()), fingerprints(keys_));
    for (std::size_t i = 0; i < keys_.size() && i < got.value().size(); ++i) {
      EXPECT_EQ(got.value()[i].created_unix, keys_[i].created_unix);
      const std::string digest = test_digest("moved " + keys_[i].dns_name);
      Result<Signed> sig = dest_.vault().sign(keys_[i].domain, keys_[i].selector, digest);
      ASSERT_TRUE(sig.ok()) << sig.error().message;
      EXPECT_TRUE(verifies(keys_[i].dns_value, digest, sig.value().signature));
    }
    EXPECT_NE(dest_.vault().credstore().value().nek_fingerprint,
              source_.vault().credstore().value().nek_fingerprint);
  }

  VaultNode source_;
  VaultNode dest_;
  std::vector<DkimKeyInfo> keys_;
};

TEST_F(VaultBundleTest, ByPasswordMovesEveryKeyAndIsIdempotent) {
  Result<ExportedBundle> bundle =
      source_.vault().export_dkim_bundle({}, {}, by_password("bundle pw"));
  ASSERT_TRUE(bundle.ok()) << bundle.error().message;
  EXPECT_EQ(fingerprints(bundle.value().keys), fingerprints(keys_));

  Result<BundleImport> wrong = dest_.vault().import_bundle(bundle.value().content, "nope", false);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Errc::wrong_password);
  EXPECT_TRUE(listed(dest_.vault()).empty());
  EXPECT_EQ(dest_.vault().import_bundle(bundle.value().content, "", false).error().code,
            Errc::invalid_argument);

  Result<BundleImport> first = dest_.vault().import_bundle(bundle.value().content, "bundle pw",
                                                           false);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(fingerprints(first.value().imported), fingerprints(keys_));
  EXPECT_TRUE(first.value().unchanged.empty());
  expect_transferred();

  Result<BundleImport> second = dest_.vault().import_bundle(bundle.value().content, "bundle pw",
                                                            false);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second.value().imported.empty());
  EXPECT_EQ(fingerprints(second.value().unchanged), fingerprints(keys_));
  expect_transferred();
}

TEST_F(VaultBundleTest, ByRecipientOnlyThatKeystoreOpensIt) {
  VaultNode stranger;
  stranger.init_credstore();
  Result<ExportedBundle> bundle =
      source_.vault().export_dkim_bundle({}, {}, for_recipient(dest_.vault()));
  ASSERT_TRUE(bundle.ok()) << bundle.error().message;

  Result<BundleImport> refused = stranger.vault().import_bundle(bundle.value().content, "", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::authentication_failed);
  EXPECT_TRUE(listed(stranger.vault()).empty());

  Result<BundleImport> imported =
      dest_.vault().import_bundle(bundle.value().content, "ignored", false);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported.value().imported.size(), 3u);
  expect_transferred();
  Result<BundleImport> again = dest_.vault().import_bundle(bundle.value().content, "", false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().unchanged.size(), 3u);
}

TEST_F(VaultBundleTest, FiltersAndBadRequests) {
  Result<ExportedBundle> domain =
      source_.vault().export_dkim_bundle("EXAMPLE.com", {}, for_recipient(dest_.vault()));
  ASSERT_TRUE(domain.ok()) << domain.error().message;
  EXPECT_EQ(domain.value().keys.size(), 2u);
  Result<ExportedBundle> one =
      source_.vault().export_dkim_bundle("example.com", "ED1", for_recipient(dest_.vault()));
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one.value().keys.size(), 1u);
  EXPECT_EQ(one.value().keys[0].selector, "ed1");
  Result<BundleImport> imported = dest_.vault().import_bundle(one.value().content, "", false);
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(listed(dest_.vault()), fingerprints(one.value().keys));

  EXPECT_EQ(source_.vault()
                .export_dkim_bundle("example.net", {}, for_recipient(dest_.vault()))
                .error()
                .code,
            Errc::not_found);
  EXPECT_EQ(source_.vault()
                .export_dkim_bundle({}, "ed1", for_recipient(dest_.vault()))
                .error()
                .code,
            Errc::invalid_argument);
  BundleProtection both = by_password("pw");
  both.recipient_public_key = dest_.vault().identity().public_key();
  EXPECT_EQ(source_.vault().export_dkim_bundle({}, {}, both).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(source_.vault().export_dkim_bundle({}, {}, BundleProtection{}).error().code,
            Errc::invalid_argument);
  BundleProtection short_key;
  short_key.recipient_public_key = "too short";
  EXPECT_EQ(source_.vault().export_dkim_bundle({}, {}, short_key).error().code,
            Errc::invalid_argument);
}

TEST_F(VaultBundleTest, AConflictRefusesTheWholeBundleUnlessOverwrite) {
  // The destination has another key under one of the names.
  Result<DkimKeyInfo> mine = dest_.vault().create_dkim("example.com", "ed1", KeyType::ed25519, 0);
  ASSERT_TRUE(mine.ok());
  Result<ExportedBundle> bundle =
      source_.vault().export_dkim_bundle({}, {}, for_recipient(dest_.vault()));
  ASSERT_TRUE(bundle.ok());
  Result<BundleImport> refused = dest_.vault().import_bundle(bundle.value().content, "", false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::already_exists);
  EXPECT_EQ(listed(dest_.vault()), fingerprints({mine.value()}));  // nothing else came in

  Result<BundleImport> forced = dest_.vault().import_bundle(bundle.value().content, "", true);
  ASSERT_TRUE(forced.ok()) << forced.error().message;
  EXPECT_EQ(forced.value().imported.size(), 3u);
  expect_transferred();  // including the replaced key, not the cached old one
}

TEST_F(VaultBundleTest, TamperedBundlesAreRefusedAndChangeNothing) {
  Result<ExportedBundle> sealed =
      source_.vault().export_dkim_bundle({}, {}, for_recipient(dest_.vault()));
  Result<ExportedBundle> locked = source_.vault().export_dkim_bundle({}, {}, by_password("pw"));
  ASSERT_TRUE(sealed.ok() && locked.ok());
  int tried = 0;
  // 24 samples of the recipient bundle, 8 of the password one (Argon2id per sample).
  for (const std::string* file : {&sealed.value().content, &locked.value().content}) {
    const std::size_t step = file->size() / (file == &sealed.value().content ? 24 : 8) + 1;
    for (std::size_t at = 0; at < file->size(); at += step) {
      std::string bad = *file;
      bad[at] = static_cast<char>(bad[at] ^ 0x01);
      Result<BundleImport> r = dest_.vault().import_bundle(bad, "pw", false);
      ASSERT_FALSE(r.ok()) << "byte " << at;
      EXPECT_EQ(r.error().message.find("PRIVATE"), std::string::npos);
      ++tried;
    }
    Result<BundleImport> cut =
        dest_.vault().import_bundle(file->substr(0, file->size() - 1), "pw", false);
    EXPECT_FALSE(cut.ok());
  }
  EXPECT_GE(tried, 30);
  EXPECT_TRUE(listed(dest_.vault()).empty());
  // A NEK file is not a bundle, even under the right password.
  Result<std::string> nek_file =
      source_.vault().export_nek("source-nek", "pw", PasswordLimits::interactive());
  ASSERT_TRUE(nek_file.ok());
  EXPECT_EQ(dest_.vault().import_bundle(nek_file.value(), "pw", false).error().code,
            Errc::malformed);
}

}  // namespace
}  // namespace postern::keystore
