// KeyVault on one keystore (real RocksDbStore, fresh Identity): NEKs, the credential store and
// no_credstore before it, DKIM keys created and imported in every PEM form, listing order and
// what it reports, signatures checked by OpenSSL against the published record, idempotent
// import, delete (and the cache with it), secrets, and signing while keys change.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/keystore/vault_fixture.h"

namespace postern::keystore {
namespace {

using testing::make_pem;
using testing::test_digest;
using testing::TestPem;
using testing::VaultNode;
using testing::verifies;

const std::regex kNekFingerprint("([0-9a-f]{4} ){7}[0-9a-f]{4}");
const std::regex kKeyFingerprint("([0-9a-f]{4} ){15}[0-9a-f]{4}");

class VaultTest : public ::testing::Test {
 protected:
  KeyVault& vault() { return node_.vault(); }

  // Signs a fresh digest with (domain, selector) and checks it against `info`'s record.
  void expect_signs(const DkimKeyInfo& info, std::string_view domain = {},
                    std::string_view selector = {}) {
    const std::string digest = test_digest("header hash input for " + info.dns_name);
    Result<Signed> sig = vault().sign(domain.empty() ? info.domain : domain,
                                      selector.empty() ? info.selector : selector, digest);
    ASSERT_TRUE(sig.ok()) << sig.error().message;
    EXPECT_EQ(sig.value().algorithm,
              info.type == KeyType::rsa ? "rsa-sha256" : "ed25519-sha256");
    EXPECT_TRUE(verifies(info.dns_value, digest, sig.value().signature)) << info.dns_name;
    EXPECT_FALSE(verifies(info.dns_value, test_digest("other"), sig.value().signature));
  }

  VaultNode node_;
};

TEST_F(VaultTest, NeksAreCreatedListedAndNamedOnce) {
  Result<NekInfo> main = vault().create_nek("main");
  ASSERT_TRUE(main.ok()) << main.error().message;
  EXPECT_EQ(main.value().name, "main");
  EXPECT_TRUE(std::regex_match(main.value().fingerprint, kNekFingerprint));
  ASSERT_TRUE(vault().create_nek("backup").ok());
  Result<NekInfo> again = vault().create_nek("main");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::already_exists);
  EXPECT_EQ(vault().create_nek("has space").error().code, Errc::invalid_argument);
  EXPECT_EQ(vault().create_nek("").error().code, Errc::invalid_argument);

  Result<std::vector<NekInfo>> list = vault().list_neks();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list.value().size(), 2u);
  EXPECT_EQ(list.value()[0].name, "backup");
  EXPECT_EQ(list.value()[1].name, "main");
  EXPECT_EQ(list.value()[1].fingerprint, main.value().fingerprint);
  EXPECT_NE(list.value()[0].fingerprint, main.value().fingerprint);
  EXPECT_EQ(vault().export_nek("absent", "pw", PasswordLimits::interactive()).error().code,
            Errc::not_found);
}

TEST_F(VaultTest, EverythingNeedsTheCredentialStoreFirst) {
  const std::string digest = test_digest("x");
  const TestPem pem = make_pem(0, false);
  EXPECT_EQ(vault().credstore().error().code, Errc::no_credstore);
  EXPECT_EQ(vault().create_dkim("a.com", "s", KeyType::ed25519, 0).error().code,
            Errc::no_credstore);
  EXPECT_EQ(vault().import_dkim("a.com", "s", pem.pem, false).error().code, Errc::no_credstore);
  EXPECT_EQ(vault().list_dkim().error().code, Errc::no_credstore);
  EXPECT_EQ(vault().dkim_info("a.com", "s").error().code, Errc::no_credstore);
  EXPECT_EQ(vault().delete_dkim("a.com", "s").error().code, Errc::no_credstore);
  EXPECT_EQ(vault().sign("a.com", "s", digest).error().code, Errc::no_credstore);
  EXPECT_EQ(vault().set_secret("relay", "u", "v").error().code, Errc::no_credstore);
  EXPECT_EQ(vault().get_secret("relay").error().code, Errc::no_credstore);
  EXPECT_EQ(vault().list_secrets().error().code, Errc::no_credstore);
  EXPECT_EQ(vault().delete_secret("relay").error().code, Errc::no_credstore);
  BundleProtection by_password;
  by_password.password = "pw";
  EXPECT_EQ(vault().export_dkim_bundle({}, {}, by_password).error().code, Errc::no_credstore);
  EXPECT_NE(vault().credstore().error().message.find("create"), std::string::npos);

  EXPECT_EQ(vault().create_credstore("main").error().code, Errc::not_found);
  Result<NekInfo> nek = vault().create_nek("main");
  ASSERT_TRUE(nek.ok());
  ASSERT_TRUE(vault().create_nek("other").ok());
  Result<CredstoreInfo> cs = vault().create_credstore("main");
  ASSERT_TRUE(cs.ok()) << cs.error().message;
  EXPECT_EQ(cs.value().nek, "main");
  EXPECT_EQ(cs.value().nek_fingerprint, nek.value().fingerprint);
  EXPECT_EQ(cs.value().dkim_keys, 0u);
  EXPECT_EQ(cs.value().secrets, 0u);
  EXPECT_TRUE(vault().create_credstore("main").ok());  // a retried create
  EXPECT_EQ(vault().create_credstore("other").error().code, Errc::already_exists);
  EXPECT_TRUE(vault().list_dkim().ok());
}

TEST_F(VaultTest, CreatedKeysListSortedAndSignVerifiably) {
  node_.init_credstore();
  node_.set_now(1'700'000'100);
  Result<DkimKeyInfo> rsa = vault().create_dkim("B.Example.", "S1", KeyType::rsa, 1024);
  ASSERT_TRUE(rsa.ok()) << rsa.error().message;
  node_.set_now(1'700'000'200);
  Result<DkimKeyInfo> ed = vault().create_dkim("a.example", "ed1", KeyType::ed25519, 0);
  ASSERT_TRUE(ed.ok()) << ed.error().message;
  Result<DkimKeyInfo> rsa2048 = vault().create_dkim("a.example", "rsa1", KeyType::rsa, 2048);
  ASSERT_TRUE(rsa2048.ok()) << rsa2048.error().message;

  EXPECT_EQ(rsa.value().domain, "b.example");
  EXPECT_EQ(rsa.value().selector, "s1");
  EXPECT_EQ(rsa.value().dns_name, "s1._domainkey.b.example");
  EXPECT_EQ(rsa.value().bits, 1024);
  EXPECT_EQ(rsa.value().created_unix, 1'700'000'100);
  EXPECT_EQ(rsa.value().dns_value.rfind("v=DKIM1; k=rsa; p=", 0), 0u);
  EXPECT_EQ(ed.value().type, KeyType::ed25519);
  EXPECT_EQ(ed.value().bits, 256);
  EXPECT_EQ(ed.value().created_unix, 1'700'000'200);
  EXPECT_EQ(ed.value().dns_value.rfind("v=DKIM1; k=ed25519; p=", 0), 0u);
  EXPECT_EQ(rsa2048.value().bits, 2048);

  Result<std::vector<DkimKeyInfo>> all = vault().list_dkim();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all.value().size(), 3u);
  EXPECT_EQ(all.value()[0].dns_name, "ed1._domainkey.a.example");
  EXPECT_EQ(all.value()[1].dns_name, "rsa1._domainkey.a.example");
  EXPECT_EQ(all.value()[2].dns_name, "s1._domainkey.b.example");
  for (const DkimKeyInfo& info : all.value()) {
    EXPECT_TRUE(std::regex_match(info.fingerprint, kKeyFingerprint)) << info.fingerprint;
  }
  EXPECT_EQ(all.value()[0].fingerprint, ed.value().fingerprint);
  EXPECT_EQ(all.value()[2].fingerprint, rsa.value().fingerprint);
  Result<std::vector<DkimKeyInfo>> a = vault().list_dkim("A.EXAMPLE.");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value().size(), 2u);
  EXPECT_EQ(vault().list_dkim("c.example").value().size(), 0u);
  EXPECT_EQ(vault().list_dkim("bad_domain").error().code, Errc::invalid_argument);
  Result<DkimKeyInfo> info = vault().dkim_info("b.example", "S1");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info.value().dns_value, rsa.value().dns_value);
  EXPECT_EQ(vault().credstore().value().dkim_keys, 3u);

  for (const DkimKeyInfo& key : all.value()) expect_signs(key);
  expect_signs(rsa.value(), "b.EXAMPLE.", "S1");  // names are normalized on sign too

  EXPECT_EQ(vault().create_dkim("a.example", "ed1", KeyType::ed25519, 0).error().code,
            Errc::already_exists);
  EXPECT_EQ(vault().create_dkim("a.example", "x", KeyType::rsa, 1536).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(vault().create_dkim("a.example", "x", KeyType::ed25519, 1024).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(vault().create_dkim("a..example", "x", KeyType::ed25519, 0).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(vault().sign("a.example", "ed1", std::string(31, 'x')).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(vault().sign("a.example", "ed1", std::string(33, 'x')).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(vault().sign("a.example", "nope", test_digest("x")).error().code, Errc::not_found);
  EXPECT_EQ(vault().dkim_info("a.example", "nope").error().code, Errc::not_found);
}

TEST_F(VaultTest, Rsa4096OnceSigns) {
  node_.init_credstore();
  Result<DkimKeyInfo> big = vault().create_dkim("example.com", "big", KeyType::rsa, 4096);
  ASSERT_TRUE(big.ok()) << big.error().message;
  EXPECT_EQ(big.value().bits, 4096);
  expect_signs(big.value());
}

struct PemCase {
  const char* name;
  int bits;  // 0: Ed25519
  bool pkcs1;
};

class VaultImportTest : public VaultTest, public ::testing::WithParamInterface<PemCase> {};

TEST_P(VaultImportTest, ImportsOnceAndRefusesAnotherKeyWithoutOverwrite) {
  node_.init_credstore();
  const TestPem pem = make_pem(GetParam().bits, GetParam().pkcs1);
  node_.set_now(1'700'000'500);
  Result<DkimKeyInfo> first = vault().import_dkim("Example.com", "imp", pem.pem, false);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first.value().type, GetParam().bits == 0 ? KeyType::ed25519 : KeyType::rsa);
  EXPECT_EQ(first.value().bits, GetParam().bits == 0 ? 256 : GetParam().bits);
  EXPECT_EQ(first.value().created_unix, 1'700'000'500);
  expect_signs(first.value());

  // The same key again, also in its other PEM form: unchanged, original time kept.
  node_.set_now(1'700'000'900);
  for (const std::string& same :
       {pem.pem, testing::pem_armour("PRIVATE KEY", pem.pkcs8)}) {
    Result<DkimKeyInfo> again = vault().import_dkim("example.com", "imp", same, false);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again.value().fingerprint, first.value().fingerprint);
    EXPECT_EQ(again.value().created_unix, 1'700'000'500);
  }

  const TestPem other = make_pem(GetParam().bits, GetParam().pkcs1);
  Result<DkimKeyInfo> refused = vault().import_dkim("example.com", "imp", other.pem, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::already_exists);
  EXPECT_NE(refused.error().message.find(first.value().fingerprint), std::string::npos);
  EXPECT_EQ(vault().dkim_info("example.com", "imp").value().fingerprint,
            first.value().fingerprint);
  expect_signs(first.value());

  Result<DkimKeyInfo> replaced = vault().import_dkim("example.com", "imp", other.pem, true);
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  EXPECT_NE(replaced.value().fingerprint, first.value().fingerprint);
  EXPECT_EQ(replaced.value().created_unix, 1'700'000'900);
  expect_signs(replaced.value());  // the cache holds the new key, not the old one
  EXPECT_EQ(vault().list_dkim().value().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(PemForms, VaultImportTest,
                         ::testing::Values(PemCase{"RsaPkcs1", 1024, true},
                                          PemCase{"RsaPkcs8", 2048, false},
                                          PemCase{"Ed25519Pkcs8", 0, false}),
                         [](const ::testing::TestParamInfo<PemCase>& info) {
                           return std::string(info.param.name);
                         });

TEST_F(VaultTest, BadPemIsInvalidArgumentWithoutKeyBytesInTheMessage) {
  node_.init_credstore();
  const TestPem pem = make_pem(1024, false);
  std::string broken = pem.pem;
  broken.replace(broken.find('\n') + 1, 8, "AAAAAAAA");  // the DER's outer SEQUENCE
  for (const std::string& bad :
       {std::string("not a key"), broken, pem.pem.substr(0, pem.pem.size() / 2),
        testing::pem_armour("ENCRYPTED PRIVATE KEY", pem.der)}) {
    Result<DkimKeyInfo> r = vault().import_dkim("example.com", "s", bad, false);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    EXPECT_EQ(r.error().message.find(pem.b64_line.substr(0, 16)), std::string::npos);
  }
  // RSA below 1024 bits is refused too.
  EXPECT_EQ(vault().import_dkim("example.com", "s", make_pem(512, true).pem, false).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(vault().list_dkim().value().size(), 0u);
}

TEST_F(VaultTest, DeleteRemovesTheKeyAndItsCachedCopy) {
  node_.init_credstore();
  Result<DkimKeyInfo> key = vault().create_dkim("example.com", "s1", KeyType::ed25519, 0);
  ASSERT_TRUE(key.ok());
  expect_signs(key.value());  // now cached
  Result<bool> deleted = vault().delete_dkim("EXAMPLE.com", "s1");
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_TRUE(deleted.value());
  EXPECT_EQ(vault().sign("example.com", "s1", test_digest("x")).error().code, Errc::not_found);
  EXPECT_EQ(vault().dkim_info("example.com", "s1").error().code, Errc::not_found);
  EXPECT_FALSE(vault().delete_dkim("example.com", "s1").value());
  EXPECT_EQ(vault().list_dkim().value().size(), 0u);
  // The name is free again, for a new key.
  Result<DkimKeyInfo> again = vault().create_dkim("example.com", "s1", KeyType::ed25519, 0);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again.value().fingerprint, key.value().fingerprint);
  expect_signs(again.value());
}

TEST_F(VaultTest, SecretsSetGetListDelete) {
  node_.init_credstore();
  node_.set_now(1'700'001'000);
  Result<SecretInfo> relay = vault().set_secret("relay.example", "mailer", "hunter2");
  ASSERT_TRUE(relay.ok()) << relay.error().message;
  EXPECT_EQ(relay.value().updated_unix, 1'700'001'000);
  ASSERT_TRUE(vault().set_secret("api-token", "", std::string("bin\0ary", 7)).ok());

  Result<SecretValue> got = vault().get_secret("relay.example");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got.value().username, "mailer");
  EXPECT_EQ(got.value().value.view().bytes(), "hunter2");
  Result<SecretValue> token = vault().get_secret("api-token");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token.value().username, "");
  EXPECT_EQ(token.value().value.view().bytes(), std::string("bin\0ary", 7));

  node_.set_now(1'700'002'000);
  ASSERT_TRUE(vault().set_secret("relay.example", "mailer2", "correct horse").ok());
  EXPECT_EQ(vault().get_secret("relay.example").value().value.view().bytes(), "correct horse");
  Result<std::vector<SecretInfo>> list = vault().list_secrets();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list.value().size(), 2u);
  EXPECT_EQ(list.value()[0].name, "api-token");
  EXPECT_EQ(list.value()[1].name, "relay.example");
  EXPECT_EQ(list.value()[1].username, "mailer2");
  EXPECT_EQ(list.value()[1].updated_unix, 1'700'002'000);
  EXPECT_EQ(vault().credstore().value().secrets, 2u);

  EXPECT_EQ(vault().set_secret("bad name", "u", "v").error().code, Errc::invalid_argument);
  EXPECT_EQ(vault().set_secret("empty", "u", "").error().code, Errc::invalid_argument);
  EXPECT_EQ(vault().set_secret("big", "u", std::string(16385, 'v')).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(vault().get_secret("absent").error().code, Errc::not_found);
  EXPECT_TRUE(vault().delete_secret("relay.example").value());
  EXPECT_FALSE(vault().delete_secret("relay.example").value());
  EXPECT_EQ(vault().get_secret("relay.example").error().code, Errc::not_found);
  EXPECT_EQ(vault().list_secrets().value().size(), 1u);
}

// Signers on several threads while another thread creates, replaces and deletes other keys:
// every signature verifies, and nothing deadlocks or fails.
TEST_F(VaultTest, SigningWhileKeysChange) {
  node_.init_credstore();
  Result<DkimKeyInfo> ed = vault().create_dkim("example.com", "ed", KeyType::ed25519, 0);
  Result<DkimKeyInfo> rsa = vault().create_dkim("example.com", "rsa", KeyType::rsa, 1024);
  ASSERT_TRUE(ed.ok() && rsa.ok());
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const DkimKeyInfo& info = t % 2 == 0 ? ed.value() : rsa.value();
      for (int i = 0; i < 150; ++i) {
        const std::string digest = test_digest("m" + std::to_string(t * 1000 + i));
        Result<Signed> sig = vault().sign(info.domain, info.selector, digest);
        if (!sig.ok() || !verifies(info.dns_value, digest, sig.value().signature)) ++bad;
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 20; ++i) {
      const std::string sel = "churn" + std::to_string(i % 3);
      if (!vault().create_dkim("example.org", sel, KeyType::ed25519, 0).ok()) ++bad;
      if (!vault().import_dkim("example.org", sel, make_pem(0, false).pem, true).ok()) ++bad;
      if (!vault().delete_dkim("example.org", sel).value()) ++bad;
    }
  });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(vault().list_dkim().value().size(), 2u);
}

}  // namespace
}  // namespace postern::keystore
