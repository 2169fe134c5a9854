// What the vault leaves on disk: everything is back after a restart from the same data dir and
// identity file; another identity cannot open the data dir (the error names the NEK); a sealed
// entry moved under another name in the Store fails to open; and after importing a known PEM
// no file under the data dir holds the PEM marker, its base64 body or the key's DER.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/keystore/vault_fixture.h"

namespace postern::keystore {
namespace {

using namespace std::string_literals;
using testing::files_containing;
using testing::make_pem;
using testing::test_digest;
using testing::TestPem;
using testing::VaultNode;
using testing::verifies;

TEST(VaultAtRestTest, ARestartShowsEverythingAgain) {
  VaultNode node;
  node.init_credstore();
  ASSERT_TRUE(node.vault().create_nek("spare").ok());
  Result<DkimKeyInfo> rsa = node.vault().create_dkim("example.com", "rsa", KeyType::rsa, 1024);
  Result<DkimKeyInfo> ed = node.vault().create_dkim("example.com", "ed", KeyType::ed25519, 0);
  ASSERT_TRUE(rsa.ok() && ed.ok());
  ASSERT_TRUE(node.vault().set_secret("relay", "user", "pass").ok());
  const std::vector<NekInfo> neks = node.vault().list_neks().value();

  node.reopen();
  Result<std::vector<NekInfo>> neks_after = node.vault().list_neks();
  ASSERT_TRUE(neks_after.ok());
  ASSERT_EQ(neks_after.value().size(), 2u);
  for (std::size_t i = 0; i < neks.size(); ++i) {
    EXPECT_EQ(neks_after.value()[i].fingerprint, neks[i].fingerprint);
  }
  Result<CredstoreInfo> cs = node.vault().credstore();
  ASSERT_TRUE(cs.ok()) << cs.error().message;
  EXPECT_EQ(cs.value().nek, "main");
  EXPECT_EQ(cs.value().dkim_keys, 2u);
  EXPECT_EQ(cs.value().secrets, 1u);
  Result<std::vector<DkimKeyInfo>> keys = node.vault().list_dkim();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  ASSERT_EQ(keys.value().size(), 2u);
  EXPECT_EQ(keys.value()[0].fingerprint, ed.value().fingerprint);
  EXPECT_EQ(keys.value()[0].created_unix, ed.value().created_unix);
  EXPECT_EQ(keys.value()[1].fingerprint, rsa.value().fingerprint);
  for (const DkimKeyInfo& k : {rsa.value(), ed.value()}) {
    const std::string digest = test_digest("after restart");
    Result<Signed> sig = node.vault().sign(k.domain, k.selector, digest);
    ASSERT_TRUE(sig.ok()) << sig.error().message;
    EXPECT_TRUE(verifies(k.dns_value, digest, sig.value().signature));
  }
  Result<SecretValue> secret = node.vault().get_secret("relay");
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  EXPECT_EQ(secret.value().value.view().bytes(), "pass");
}

TEST(VaultAtRestTest, AnotherIdentityCannotOpenTheDataDir) {
  VaultNode node;
  node.init_credstore("prod-nek");
  Result<Identity> other = Identity::generate();
  ASSERT_TRUE(other.ok());
  Result<std::unique_ptr<KeyVault>> vault = KeyVault::open(node.store(), std::move(other).value());
  ASSERT_FALSE(vault.ok());
  EXPECT_EQ(vault.error().code, Errc::authentication_failed);
  EXPECT_NE(vault.error().message.find("\"prod-nek\""), std::string::npos)
      << vault.error().message;
}

TEST(VaultAtRestTest, EntriesMovedUnderAnotherNameDoNotOpen) {
  VaultNode node;
  node.init_credstore();
  ASSERT_TRUE(node.vault().create_dkim("a.example", "s1", KeyType::ed25519, 0).ok());
  ASSERT_TRUE(node.vault().create_dkim("b.example", "s1", KeyType::ed25519, 0).ok());
  ASSERT_TRUE(node.vault().set_secret("one", "u1", "v1").ok());
  ASSERT_TRUE(node.vault().set_secret("two", "u2", "v2").ok());
  Store& store = node.store();
  const std::string a = "a.example\0s1"s;
  const std::string b = "b.example\0s1"s;
  std::string sealed_a = *store.get("dkim", a).value();
  std::string sealed_b = *store.get("dkim", b).value();
  ASSERT_FALSE(store.put("dkim", a, sealed_b));
  ASSERT_FALSE(store.put("dkim", b, sealed_a));
  std::string secret_one = *store.get("secret", "one").value();
  ASSERT_FALSE(store.put("secret", "two", secret_one));

  node.reopen();  // an empty cache: keys are read back from the Store
  for (const char* domain : {"a.example", "b.example"}) {
    Result<DkimKeyInfo> info = node.vault().dkim_info(domain, "s1");
    ASSERT_FALSE(info.ok()) << domain;
    EXPECT_EQ(info.error().code, Errc::authentication_failed);
    EXPECT_NE(info.error().message.find(domain), std::string::npos) << info.error().message;
    EXPECT_EQ(node.vault().sign(domain, "s1", test_digest("x")).error().code,
              Errc::authentication_failed);
  }
  EXPECT_FALSE(node.vault().list_dkim().ok());
  EXPECT_EQ(node.vault().get_secret("two").error().code, Errc::authentication_failed);
  EXPECT_TRUE(node.vault().get_secret("one").ok());
  // The damaged name can be repaired by replacing the key.
  EXPECT_EQ(node.vault().import_dkim("a.example", "s1", make_pem(0, false).pem, false)
                .error()
                .code,
            Errc::authentication_failed);
  EXPECT_TRUE(node.vault().import_dkim("a.example", "s1", make_pem(0, false).pem, true).ok());
}

struct ScanCase {
  const char* name;
  int bits;
  bool pkcs1;
};

class VaultScanTest : public ::testing::TestWithParam<ScanCase> {};

TEST_P(VaultScanTest, NoPlainKeyMaterialOnDisk) {
  const TestPem pem = make_pem(GetParam().bits, GetParam().pkcs1);
  std::string data_dir;
  std::string fingerprint;
  {
    VaultNode node;
    node.init_credstore();
    Result<DkimKeyInfo> key = node.vault().import_dkim("example.com", "scan", pem.pem, false);
    ASSERT_TRUE(key.ok()) << key.error().message;
    fingerprint = key.value().fingerprint;
    // Export too, so every code path that handles the DER has run.
    BundleProtection p;
    p.password = "pw";
    p.limits = PasswordLimits::interactive();
    ASSERT_TRUE(node.vault().export_dkim_bundle({}, {}, p).ok());
    node.reopen();  // flushes and reopens RocksDB
    ASSERT_EQ(node.vault().dkim_info("example.com", "scan").value().fingerprint, fingerprint);

    const std::string dir = node.dir().str();
    ASSERT_GE(pem.der.size(), 48u);
    for (const std::string& needle :
         {"PRIVATE KEY"s, "-----BEGIN"s, pem.b64_line, pem.der, pem.pkcs8,
          pem.der.substr(pem.der.size() - 32), pem.pkcs8.substr(pem.pkcs8.size() - 32)}) {
      EXPECT_EQ(files_containing(dir, needle), std::vector<std::string>{})
          << "found " << needle.size() << " secret bytes";
    }
    // The scan can find things: entry names are stored in the clear.
    EXPECT_FALSE(files_containing(dir, "example.com\0scan"s).empty());
    data_dir = dir;
  }
  EXPECT_FALSE(data_dir.empty());
}

INSTANTIATE_TEST_SUITE_P(PemForms, VaultScanTest,
                         ::testing::Values(ScanCase{"RsaPkcs1", 2048, true},
                                           ScanCase{"RsaPkcs8", 1024, false},
                                           ScanCase{"Ed25519", 0, false}),
                         [](const ::testing::TestParamInfo<ScanCase>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace postern::keystore
