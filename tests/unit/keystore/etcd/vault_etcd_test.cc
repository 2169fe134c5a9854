// Keystore replicas on a real 3-member etcd cluster: two vaults sharing one identity, each on
// its own EtcdStore and following the other through a VaultFollower (the KeystoreNode
// wiring). A key created on one is held by the other within a second; a delete is followed
// within a second; with one member down keys are created and signed; with every member down
// both replicas sign with the keys they hold while changes fail with resource naming etcd;
// with the members back changes work and are followed again.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "common/log/log.h"
#include "keystore/service/vault_follower.h"
#include "tests/unit/keystore/etcd/etcd_cluster.h"
#include "tests/unit/keystore/temp_dir.h"
#include "tests/unit/keystore/vault_fixture.h"

namespace postern::keystore {
namespace {

using namespace std::chrono_literals;
using service::VaultFollower;
using testing::EtcdCluster;
using testing::open_etcd_store;
using testing::options_for;
using testing::test_digest;
using testing::verifies;

EtcdCluster& cluster() { return testing::shared_cluster(3); }

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Polls `ok` until it holds or `timeout` passes; the follower's effects have no event a test
// can subscribe to.
template <class F>
bool eventually(F ok, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (ok()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

// One replica: its own EtcdStore, a vault over it (shared), and a follower.
struct Replica {
  explicit Replica(const std::string& identity_file) {
    store = open_etcd_store(options_for(cluster().endpoints()));
    if (!store) return;
    Result<Identity> identity = Identity::load_or_create(identity_file);
    EXPECT_TRUE(identity.ok()) << identity.error().message;
    VaultOptions options;
    options.shared = true;
    Result<std::unique_ptr<KeyVault>> opened =
        KeyVault::open(*store, std::move(identity).value(), std::move(options));
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    if (!opened.ok()) return;
    vault = std::move(opened).value();
    follower = std::make_unique<VaultFollower>(*vault, *store, log::get("test"));
  }
  ~Replica() {
    follower.reset();
    vault.reset();
  }

  std::unique_ptr<EtcdStore> store;
  std::unique_ptr<KeyVault> vault;
  std::unique_ptr<VaultFollower> follower;
};

bool signs(KeyVault& v, const DkimKeyInfo& key) {
  const std::string digest = test_digest("a message");
  Result<Signed> sig = v.sign(key.domain, key.selector, digest);
  return sig.ok() && verifies(key.dns_value, digest, sig.value().signature);
}

class VaultEtcdTest : public ::testing::Test {
 protected:
  void TearDown() override { cluster().start({0, 1, 2}); }
  testing::TempDir dir_;
};

TEST_F(VaultEtcdTest, ReplicasFollowEachOtherAndSignThroughOutages) {
  const std::string identity = dir_ / "identity.key";
  Replica a(identity);
  Replica b(identity);
  ASSERT_TRUE(a.vault && b.vault);
  // Both watches established (their first report, a resync, applied).
  ASSERT_TRUE(eventually([&] { return a.follower->applied() >= 1 && b.follower->applied() >= 1; },
                         5s));

  // Four changes (NEK, credential store, two keys), each reported to B by its watch.
  const uint64_t before = b.follower->applied();
  ASSERT_TRUE(a.vault->create_nek("main").ok());
  ASSERT_TRUE(a.vault->create_credstore("main").ok());
  Result<DkimKeyInfo> rsa = a.vault->create_dkim("example.com", "rsa", KeyType::rsa, 1024);
  ASSERT_TRUE(rsa.ok()) << rsa.error().message;
  auto t0 = std::chrono::steady_clock::now();
  Result<DkimKeyInfo> ed = a.vault->create_dkim("example.com", "ed", KeyType::ed25519, 0);
  ASSERT_TRUE(ed.ok()) << ed.error().message;
  ASSERT_TRUE(eventually([&] { return b.follower->applied() >= before + 4; }, 1s));
  std::cout << "[ figure ] a new key held by the other replica after " << ms_since(t0)
            << " ms\n";
  EXPECT_TRUE(signs(*b.vault, rsa.value()));
  EXPECT_TRUE(signs(*b.vault, ed.value()));

  // A delete on B is followed by A within a second.
  t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(b.vault->delete_dkim("example.com", "rsa").value());
  ASSERT_TRUE(eventually(
      [&] {
        Result<Signed> r = a.vault->sign("example.com", "rsa", test_digest("x"));
        return !r.ok() && r.error().code == Errc::not_found;
      },
      1s));
  std::cout << "[ figure ] a delete followed by the other replica after " << ms_since(t0)
            << " ms\n";

  // One member down: keys are created, followed and signed.
  cluster().stop({0});
  const uint64_t before_down = b.follower->applied();
  Result<DkimKeyInfo> during = a.vault->create_dkim("example.com", "m1", KeyType::ed25519, 0);
  ASSERT_TRUE(during.ok()) << during.error().message;
  ASSERT_TRUE(eventually([&] { return b.follower->applied() > before_down; }, 5s));
  EXPECT_TRUE(signs(*b.vault, during.value()));
  EXPECT_TRUE(signs(*a.vault, ed.value()));

  // Every member down: both sign with what they hold; changes fail naming etcd.
  cluster().stop({1, 2});
  EXPECT_TRUE(signs(*a.vault, ed.value()));
  EXPECT_TRUE(signs(*b.vault, ed.value()));
  EXPECT_TRUE(signs(*b.vault, during.value()));
  t0 = std::chrono::steady_clock::now();
  Result<DkimKeyInfo> refused = b.vault->create_dkim("example.com", "m2", KeyType::ed25519, 0);
  ASSERT_FALSE(refused.ok());
  std::cout << "[ figure ] a key change refused after " << ms_since(t0)
            << " ms with every member down\n";
  EXPECT_EQ(refused.error().code, Errc::resource);
  EXPECT_NE(refused.error().message.find("etcd"), std::string::npos) << refused.error().message;
  EXPECT_EQ(a.vault->set_secret("s", "u", "v").error().code, Errc::resource);

  // Back: changes work again and are followed.
  cluster().start({0, 1, 2});
  ASSERT_TRUE(eventually(
      [&] { return b.vault->create_dkim("example.com", "m2", KeyType::ed25519, 0).ok(); }, 10s));
  Result<DkimKeyInfo> m2 = b.vault->dkim_info("example.com", "m2");
  ASSERT_TRUE(m2.ok());
  ASSERT_TRUE(a.vault->delete_dkim("example.com", "ed").value());
  EXPECT_TRUE(eventually(
      [&] {
        Result<Signed> r = b.vault->sign("example.com", "ed", test_digest("x"));
        return !r.ok() && r.error().code == Errc::not_found;
      },
      5s));
  EXPECT_TRUE(signs(*a.vault, m2.value()));
  EXPECT_TRUE(eventually([&] { return a.follower->unhealthy_reason().empty(); }, 5s))
      << a.follower->unhealthy_reason();
  EXPECT_TRUE(eventually([&] { return b.follower->unhealthy_reason().empty(); }, 5s))
      << b.follower->unhealthy_reason();
}

}  // namespace
}  // namespace postern::keystore
