// The RocksDB Store backend: put/get/remove/list, name order within a kind, persistence across
// reopen, refusal of plaintext values and bad keys, and open errors that name the directory.
#include "keystore/rocksdb_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/unit/keystore/temp_dir.h"

namespace postern::keystore {
namespace {

using namespace std::literals;
using testing::TempDir;
using Names = std::vector<std::string>;

// Values shaped like sealed entries (store.h only looks at the header).
std::string sealed(const std::string& tag) { return "PKSE\x01" + tag; }

std::unique_ptr<RocksDbStore> open_store(const std::string& dir) {
  Result<std::unique_ptr<RocksDbStore>> store = RocksDbStore::open(dir);
  EXPECT_TRUE(store.ok()) << store.error().message;
  return store.ok() ? std::move(store).value() : nullptr;
}

std::optional<std::string> get(Store& store, std::string_view kind, std::string_view name) {
  Result<std::optional<std::string>> r = store.get(kind, name);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : std::nullopt;
}

Names list(Store& store, std::string_view kind) {
  Result<Names> r = store.list(kind);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : Names{};
}

TEST(RocksDbStoreTest, PutGetReplaceRemove) {
  TempDir dir;
  auto store = open_store(dir / "db");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->unhealthy_reason(), "");
  EXPECT_EQ(get(*store, "nek", "main"), std::nullopt);
  EXPECT_FALSE(store->put("nek", "main", sealed("one")));
  EXPECT_EQ(get(*store, "nek", "main"), sealed("one"));
  EXPECT_EQ(get(*store, "secret", "main"), std::nullopt);  // kinds are separate
  EXPECT_FALSE(store->put("nek", "main", sealed("two")));
  EXPECT_EQ(get(*store, "nek", "main"), sealed("two"));
  EXPECT_FALSE(store->remove("nek", "main"));
  EXPECT_EQ(get(*store, "nek", "main"), std::nullopt);
  EXPECT_FALSE(store->remove("nek", "main"));  // absent: still success
  EXPECT_EQ(store->unhealthy_reason(), "");
}

TEST(RocksDbStoreTest, ListIsInNameOrderAndPerKind) {
  TempDir dir;
  auto store = open_store(dir / "db");
  ASSERT_TRUE(store);
  // Inserted out of order; names with NUL (domain, selector) and high bytes sort bytewise.
  const Names names = {"b.example\0s2"s, "a.example\0z"s, "b.example\0s1"s, "\xff"s,
                       "a.example"s, "A"s};
  for (const std::string& n : names) ASSERT_FALSE(store->put("dkim", n, sealed(n)));
  // Kinds that share a prefix with "dkim" must not leak into its list.
  ASSERT_FALSE(store->put("dkim-old", "x", sealed("x")));
  ASSERT_FALSE(store->put("dkimx", "y", sealed("y")));
  ASSERT_FALSE(store->put("dki", "z", sealed("z")));
  EXPECT_EQ(list(*store, "dkim"), (Names{"A"s, "a.example"s, "a.example\0z"s, "b.example\0s1"s,
                                         "b.example\0s2"s, "\xff"s}));
  EXPECT_EQ(list(*store, "dkim-old"), (Names{"x"}));
  EXPECT_EQ(list(*store, "dki"), (Names{"z"}));
  EXPECT_EQ(list(*store, "secret"), Names{});
  EXPECT_EQ(get(*store, "dkim", "b.example\0s1"s), sealed("b.example\0s1"s));
}

TEST(RocksDbStoreTest, SurvivesReopen) {
  TempDir dir;
  {
    auto store = open_store(dir / "db");
    ASSERT_TRUE(store);
    ASSERT_FALSE(store->put("nek", "main", sealed("n")));
    ASSERT_FALSE(store->put("dkim", "d\0s"s, sealed("k")));
    ASSERT_FALSE(store->put("dkim", "gone", sealed("g")));
    ASSERT_FALSE(store->remove("dkim", "gone"));
  }
  auto store = open_store(dir / "db");
  ASSERT_TRUE(store);
  EXPECT_EQ(get(*store, "nek", "main"), sealed("n"));
  EXPECT_EQ(list(*store, "dkim"), (Names{"d\0s"s}));
}

TEST(RocksDbStoreTest, RefusesPlaintextValues) {
  TempDir dir;
  auto store = open_store(dir / "db");
  ASSERT_TRUE(store);
  for (const std::string& value :
       {"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI...\n"s, "password"s, ""s, "PKSE"s,
        "PKSX\x01..."s}) {
    std::optional<Error> e = store->put("secret", "relay", value);
    ASSERT_TRUE(e) << value;
    EXPECT_EQ(e->code, Errc::invalid_argument);
  }
  EXPECT_TRUE(store->put("secret", "big", sealed(std::string(kMaxStoredValueBytes, 'x'))));
  EXPECT_EQ(list(*store, "secret"), Names{});
  // The other sealed formats are accepted.
  EXPECT_FALSE(store->put("nek", "main", "PKNW\x01..."s));
  EXPECT_FALSE(store->put("bundle", "in", "PKBX\x01..."s));
}

TEST(RocksDbStoreTest, RefusesBadKindsAndNames) {
  TempDir dir;
  auto store = open_store(dir / "db");
  ASSERT_TRUE(store);
  for (std::string_view kind : {""sv, "DKIM"sv, "dk\0im"sv, "dk im"sv,
                                std::string_view("0123456789012345678901234567890123")}) {
    EXPECT_TRUE(store->put(kind, "n", sealed("v")));
    EXPECT_FALSE(store->get(kind, "n").ok());
    EXPECT_TRUE(store->remove(kind, "n"));
    EXPECT_FALSE(store->list(kind).ok());
  }
  EXPECT_TRUE(store->put("dkim", "", sealed("v")));
  EXPECT_TRUE(store->put("dkim", std::string(kMaxEntryNameBytes + 1, 'n'), sealed("v")));
  EXPECT_FALSE(store->put("dkim", std::string(kMaxEntryNameBytes, 'n'), sealed("v")));
}

TEST(RocksDbStoreTest, OpenErrorsNameTheDirectory) {
  TempDir dir;
  const std::string db = dir / "db";
  auto held = open_store(db);
  ASSERT_TRUE(held);
  Result<std::unique_ptr<RocksDbStore>> second = RocksDbStore::open(db);  // locked
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, Errc::resource);
  EXPECT_NE(second.error().message.find(db), std::string::npos) << second.error().message;

  const std::string file = dir / "plain-file";
  std::ofstream(file) << "x";
  Result<std::unique_ptr<RocksDbStore>> not_dir = RocksDbStore::open(file);
  ASSERT_FALSE(not_dir.ok());
  EXPECT_NE(not_dir.error().message.find(file), std::string::npos) << not_dir.error().message;
}

}  // namespace
}  // namespace postern::keystore
