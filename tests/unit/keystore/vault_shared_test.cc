// KeyVault over a Store shared by replicas (vault.h "Exclusive and shared Stores"), with
// RocksDB standing in for etcd (the logic does not depend on the backend; the etcd tests in
// etcd/vault_etcd_test.cc run it on a real cluster): NEK entries per identity, a replica
// without the NEK (clear errors, import, then everything opens), apply() driven by hand
// (puts, removes, resyncs), keys held while the Store fails, skipped keys warned about once,
// and the migration of the legacy single-identity NEK layout on exclusive Stores.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "keystore/vault_entries.h"
#include "tests/unit/keystore/vault_fixture.h"

namespace postern::keystore {
namespace {

using namespace std::literals;
using testing::make_pem;
using testing::TempDir;
using testing::test_digest;
using testing::verifies;
using Type = StoreChange::Type;

// A Store that passes every call to `inner` until fail() is set: then every call fails with
// resource, as an unreachable etcd does.
class SwitchableStore final : public Store {
 public:
  explicit SwitchableStore(Store& inner) : inner_(inner) {}
  void fail(bool on) { down_ = on; }

  std::optional<Error> put(std::string_view kind, std::string_view name,
                           std::string_view sealed) override {
    if (down_) return down();
    return inner_.put(kind, name, sealed);
  }
  Result<std::optional<std::string>> get(std::string_view kind, std::string_view name) override {
    if (down_) return down();
    return inner_.get(kind, name);
  }
  std::optional<Error> remove(std::string_view kind, std::string_view name) override {
    if (down_) return down();
    return inner_.remove(kind, name);
  }
  Result<std::vector<std::string>> list(std::string_view kind) override {
    if (down_) return down();
    return inner_.list(kind);
  }
  std::string unhealthy_reason() const override { return down_ ? "down" : ""; }

 private:
  static Error down() { return make_error(Errc::resource, "etcd 127.0.0.1:1: unavailable"); }
  Store& inner_;
  std::atomic<bool> down_{false};
};

// One shared Store (RocksDB in a temp dir) and identity files the replicas load.
class SharedVaultTest : public ::testing::Test {
 protected:
  SharedVaultTest() {
    Result<std::unique_ptr<RocksDbStore>> store = RocksDbStore::open(dir_ / "db");
    EXPECT_TRUE(store.ok()) << store.error().message;
    if (store.ok()) store_ = std::move(store).value();
    store_view_ = std::make_unique<SwitchableStore>(*store_);
  }

  Identity identity(const std::string& file) {
    Result<Identity> id = Identity::load_or_create(dir_ / file);
    EXPECT_TRUE(id.ok()) << id.error().message;
    return std::move(id).value();
  }

  // A replica with the identity in `file`, over the shared Store.
  std::unique_ptr<KeyVault> replica(const std::string& file) {
    VaultOptions options;
    options.shared = true;
    options.warn = [this](const std::string& m) {
      std::lock_guard lock(warn_mu_);
      warnings_.push_back(m);
    };
    Result<std::unique_ptr<KeyVault>> vault =
        KeyVault::open(*store_view_, identity(file), std::move(options));
    EXPECT_TRUE(vault.ok()) << vault.error().message;
    return vault.ok() ? std::move(vault).value() : nullptr;
  }

  std::vector<std::string> warnings() {
    std::lock_guard lock(warn_mu_);
    return warnings_;
  }

  static void init(KeyVault& v) {
    ASSERT_TRUE(v.create_nek("main").ok());
    ASSERT_TRUE(v.create_credstore("main").ok());
  }

  static void expect_signs(KeyVault& v, const DkimKeyInfo& key) {
    const std::string digest = test_digest("a message");
    Result<Signed> sig = v.sign(key.domain, key.selector, digest);
    ASSERT_TRUE(sig.ok()) << sig.error().message;
    EXPECT_TRUE(verifies(key.dns_value, digest, sig.value().signature));
  }

  TempDir dir_;
  std::unique_ptr<RocksDbStore> store_;
  std::unique_ptr<SwitchableStore> store_view_;
  std::mutex warn_mu_;
  std::vector<std::string> warnings_;
};

TEST(NekEntryNameTest, OwnerAndLegacyLayouts) {
  const std::string pub = "\x01\x23\x45\x67\x89\xab\xcd\xef"s + std::string(24, '\xff');
  EXPECT_EQ(nek_owner(pub), "0123456789abcdef");
  EXPECT_EQ(nek_entry_name("0123456789abcdef", "main"), "0123456789abcdef\0main"s);
  auto parsed = parse_nek_entry_name("0123456789abcdef\0main"s);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->owner, "0123456789abcdef");
  EXPECT_EQ(parsed->nek, "main");
  parsed = parse_nek_entry_name("main");  // legacy
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->owner, "");
  EXPECT_EQ(parsed->nek, "main");
  // A legacy name that looks like an owner is still legacy: only 0x00 separates.
  parsed = parse_nek_entry_name("0123456789abcdef/main");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->owner, "");
  for (const std::string& bad : {"0123456789ABCDEF\0main"s, "0123456789abcde\0main"s,
                                "0123456789abcdef\0"s, "0123456789abcdef\0a b"s, "a b"s, ""s,
                                "\0main"s}) {
    EXPECT_FALSE(parse_nek_entry_name(bad)) << bad;
  }
}

TEST_F(SharedVaultTest, EachIdentityKeepsItsOwnWrappingAndImportsTheNek) {
  auto a = replica("a.key");
  ASSERT_TRUE(a);
  init(*a);
  Result<DkimKeyInfo> key = a->create_dkim("example.com", "ed", KeyType::ed25519, 0);
  ASSERT_TRUE(key.ok()) << key.error().message;

  // B has another identity: it opens, but holds no NEK, so the credential store is closed.
  auto b = replica("b.key");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->list_neks().value().empty());
  for (const Error& e : {b->sign("example.com", "ed", test_digest("x")).error(),
                         b->create_dkim("example.com", "x", KeyType::ed25519, 0).error(),
                         b->list_dkim().error(), b->list_secrets().error()}) {
    EXPECT_EQ(e.code, Errc::resource);
    EXPECT_NE(e.message.find("does not hold the NEK"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("keymgmt import nek"), std::string::npos) << e.message;
  }
  const std::vector<std::string> warned = warnings();
  ASSERT_EQ(warned.size(), 1u);
  EXPECT_NE(warned[0].find("does not hold the NEK"), std::string::npos) << warned[0];
  // Creating its own "main" would make two keys of one name in the cluster: refused.
  Result<NekInfo> own = b->create_nek("main");
  ASSERT_FALSE(own.ok());
  EXPECT_EQ(own.error().code, Errc::already_exists);
  EXPECT_NE(own.error().message.find("another keystore identity"), std::string::npos);
  EXPECT_EQ(b->create_credstore("main").error().code, Errc::already_exists);

  // Import: B stores its own wrapping beside A's and opens everything at once.
  Result<std::string> file = a->export_nek("main", "pw", PasswordLimits::interactive());
  ASSERT_TRUE(file.ok()) << file.error().message;
  Result<NekInfo> imported = b->import_nek(file.value(), "pw", false);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported.value().fingerprint, a->list_neks().value()[0].fingerprint);
  EXPECT_EQ(store_->list("nek").value().size(), 2u);
  expect_signs(*b, key.value());
  ASSERT_TRUE(b->credstore().ok());
  EXPECT_EQ(b->credstore().value().dkim_keys, 1u);

  // Neither wrapping replaced the other: both identities reopen.
  auto a2 = replica("a.key");
  auto b2 = replica("b.key");
  ASSERT_TRUE(a2 && b2);
  expect_signs(*a2, key.value());
  expect_signs(*b2, key.value());
}

TEST_F(SharedVaultTest, ApplyFollowsAnotherReplicasChanges) {
  auto a = replica("a.key");
  ASSERT_TRUE(a);
  init(*a);
  Result<DkimKeyInfo> rsa = a->create_dkim("example.com", "rsa", KeyType::rsa, 1024);
  ASSERT_TRUE(rsa.ok());
  auto b = replica("a.key");  // same identity file (a Kubernetes Secret)
  ASSERT_TRUE(b);
  expect_signs(*b, rsa.value());

  // A deletes: B holds the key until the change reaches it.
  ASSERT_TRUE(a->delete_dkim("example.com", "rsa").value());
  expect_signs(*b, rsa.value());
  ASSERT_FALSE(b->apply({Type::removed, "dkim", "example.com\0rsa"s}));
  EXPECT_EQ(b->sign("example.com", "rsa", test_digest("x")).error().code, Errc::not_found);
  ASSERT_FALSE(b->apply({Type::removed, "dkim", "example.com\0rsa"s}));  // again: idempotent

  // A replaces a key: B signs with the old one until the put arrives, then with the new one.
  Result<DkimKeyInfo> first = a->create_dkim("example.com", "ed", KeyType::ed25519, 0);
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(b->apply({Type::put, "dkim", "example.com\0ed"s}));
  expect_signs(*b, first.value());
  Result<DkimKeyInfo> second =
      a->import_dkim("example.com", "ed", make_pem(0, false).pem, /*overwrite=*/true);
  ASSERT_TRUE(second.ok());
  expect_signs(*b, first.value());
  ASSERT_FALSE(b->apply({Type::put, "dkim", "example.com\0ed"s}));
  expect_signs(*b, second.value());
  EXPECT_EQ(b->dkim_info("example.com", "ed").value().fingerprint, second.value().fingerprint);

  // Secrets and other identities' NEK entries need nothing; a resync re-reads everything.
  ASSERT_FALSE(b->apply({Type::put, "secret", "relay"}));
  ASSERT_FALSE(b->apply({Type::put, "nek", "ffffffffffffffff\0main"s}));
  ASSERT_FALSE(b->apply({Type::resync, "", ""}));
  expect_signs(*b, second.value());
  EXPECT_TRUE(warnings().empty());
}

TEST_F(SharedVaultTest, AReplicaFollowsTheNekImportOfItsIdentity) {
  auto a = replica("a.key");
  ASSERT_TRUE(a);
  init(*a);
  Result<DkimKeyInfo> key = a->create_dkim("example.com", "ed", KeyType::ed25519, 0);
  ASSERT_TRUE(key.ok());
  auto b1 = replica("b.key");
  auto b2 = replica("b.key");
  ASSERT_TRUE(b1 && b2);
  Result<std::string> file = a->export_nek("main", "pw", PasswordLimits::interactive());
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(b1->import_nek(file.value(), "pw", false).ok());
  EXPECT_EQ(b2->sign("example.com", "ed", test_digest("x")).error().code, Errc::resource);
  const std::string entry = nek_entry_name(nek_owner(b1->identity().public_key()), "main");
  ASSERT_FALSE(b2->apply({Type::put, "nek", entry}));
  expect_signs(*b2, key.value());
}

TEST_F(SharedVaultTest, HeldKeysSignWhileTheStoreFailsAndChangesFailClearly) {
  auto a = replica("a.key");
  ASSERT_TRUE(a);
  init(*a);
  Result<DkimKeyInfo> key = a->create_dkim("example.com", "ed", KeyType::ed25519, 0);
  ASSERT_TRUE(key.ok());
  auto b = replica("a.key");  // preloads every key at open
  ASSERT_TRUE(b);

  store_view_->fail(true);
  expect_signs(*a, key.value());
  expect_signs(*b, key.value());
  Result<DkimKeyInfo> refused = b->create_dkim("example.com", "new", KeyType::ed25519, 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::resource);
  EXPECT_NE(refused.error().message.find("etcd"), std::string::npos) << refused.error().message;
  EXPECT_EQ(b->set_secret("s", "u", "v").error().code, Errc::resource);
  // A key it does not hold fails with the Store's error, not "not found".
  EXPECT_EQ(b->sign("example.com", "other", test_digest("x")).error().code, Errc::resource);
  // A failed resync keeps what was held.
  std::optional<Error> resync = b->apply({Type::resync, "", ""});
  ASSERT_TRUE(resync);
  EXPECT_EQ(resync->code, Errc::resource);
  EXPECT_TRUE(b->apply({Type::put, "dkim", "example.com\0new"s}));
  expect_signs(*b, key.value());

  store_view_->fail(false);
  ASSERT_FALSE(b->apply({Type::resync, "", ""}));
  Result<DkimKeyInfo> later = b->create_dkim("example.com", "new", KeyType::ed25519, 0);
  ASSERT_TRUE(later.ok()) << later.error().message;
  expect_signs(*b, later.value());
  expect_signs(*b, key.value());
}

TEST_F(SharedVaultTest, AKeyThatDoesNotOpenIsWarnedAboutOnceAndSkipped) {
  auto a = replica("a.key");
  ASSERT_TRUE(a);
  init(*a);
  ASSERT_TRUE(a->create_dkim("a.example", "s", KeyType::ed25519, 0).ok());
  Result<DkimKeyInfo> good = a->create_dkim("b.example", "s", KeyType::ed25519, 0);
  ASSERT_TRUE(good.ok());
  // Entry a.example moved under another name: its AD no longer matches.
  std::string sealed = *store_->get("dkim", "a.example\0s"s).value();
  ASSERT_FALSE(store_->put("dkim", "c.example\0s"s, sealed));

  auto b = replica("a.key");
  ASSERT_TRUE(b);
  std::vector<std::string> warned = warnings();
  ASSERT_EQ(warned.size(), 1u);
  EXPECT_NE(warned[0].find("DKIM key s of c.example"), std::string::npos) << warned[0];
  ASSERT_FALSE(b->apply({Type::resync, "", ""}));
  EXPECT_EQ(warnings().size(), 1u);  // once
  expect_signs(*b, good.value());
  Result<Signed> refused = b->sign("c.example", "s", test_digest("x"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::authentication_failed);
  EXPECT_NE(refused.error().message.find("c.example"), std::string::npos);
  // A new value is a new chance, and warned about again when it fails again.
  ASSERT_FALSE(b->apply({Type::put, "dkim", "c.example\0s"s}));
  EXPECT_EQ(warnings().size(), 2u);
}

TEST(VaultLegacyLayoutTest, ASingleIdentityKeystoreOfTheOldLayoutIsMigratedAtOpen) {
  testing::VaultNode node;
  node.init_credstore("prod");
  Result<DkimKeyInfo> key = node.vault().create_dkim("example.com", "ed", KeyType::ed25519, 0);
  ASSERT_TRUE(key.ok());
  // Rewrite the NEK entry as a keystore of the old layout stored it: name NEKNAME.
  const std::vector<std::string> names = node.store().list("nek").value();
  ASSERT_EQ(names.size(), 1u);
  const std::string wrapped = *node.store().get("nek", names[0]).value();
  ASSERT_FALSE(node.store().remove("nek", names[0]));
  ASSERT_FALSE(node.store().put("nek", "prod", wrapped));

  node.reopen();  // a new Store object: take it after the reopen
  Store& store = node.store();
  EXPECT_EQ(store.list("nek").value(), std::vector<std::string>{names[0]});
  EXPECT_EQ(*store.get("nek", names[0]).value(), wrapped);
  const std::string digest = test_digest("x");
  Result<Signed> sig = node.vault().sign("example.com", "ed", digest);
  ASSERT_TRUE(sig.ok()) << sig.error().message;
  EXPECT_TRUE(verifies(key.value().dns_value, digest, sig.value().signature));

  // A legacy entry another identity wrapped still fails the open, naming the NEK.
  Result<Identity> other = Identity::generate();
  ASSERT_TRUE(other.ok());
  Result<Nek> foreign = Nek::generate("prod");
  ASSERT_TRUE(foreign.ok());
  Result<std::string> foreign_wrapped = other.value().wrap_nek(foreign.value());
  ASSERT_TRUE(foreign_wrapped.ok());
  ASSERT_FALSE(store.remove("nek", names[0]));
  ASSERT_FALSE(store.put("nek", "prod", foreign_wrapped.value()));
  Result<Identity> mine = Identity::load(node.dir() / "identity.key");
  ASSERT_TRUE(mine.ok());
  Result<std::unique_ptr<KeyVault>> refused = KeyVault::open(store, std::move(mine).value());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::authentication_failed);
  EXPECT_NE(refused.error().message.find("\"prod\""), std::string::npos)
      << refused.error().message;
}

}  // namespace
}  // namespace postern::keystore
