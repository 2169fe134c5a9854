// The RocksDB greylist store (reopen keeps state, sweep, undecodable values), Greylist over it
// on simulated time (the full defer/pass/expire cycle, per-key serialization under threads),
// and the Sweeper thread.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <atomic>
#include <thread>
#include <vector>

#include "router/greylist/greylist.h"
#include "router/greylist/rocksdb_store.h"
#include "tests/unit/common/dns/child_process.h"

namespace postern::router::greylist {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const SysTime kT0 = SysTime(seconds(1'800'000'000));

Triplet triplet(const std::string& from = "a@b.test", const std::string& to = "c@d.test") {
  return *make_triplet("192.0.2.1", from, to).triplet;
}

Params params() {
  Params p;
  p.delay = minutes(5);
  p.retry_window = hours(4);
  p.expiry = hours(24);
  return p;
}

Entry entry(SysTime expires_at) {
  Entry e;
  e.first_seen = e.last_seen = kT0;
  e.expires_at = expires_at;
  return e;
}

class GreylistStoreTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.path() + "/greylist"; }
  testing::TempDir dir_;
};

TEST_F(GreylistStoreTest, MissingKeyIsOkAndEmpty) {
  auto store = RocksDbStore::open(path());
  const StoreGet got = store->get(std::string(32, 'k'));
  EXPECT_TRUE(got.ok());
  EXPECT_FALSE(got.entry);
  EXPECT_EQ(store->count(), 0u);
}

TEST_F(GreylistStoreTest, ReopenKeepsState) {
  const std::string key = store_key(triplet());
  {
    auto store = RocksDbStore::open(path());
    ASSERT_TRUE(store->put(key, entry(kT0 + hours(1))).ok());
  }
  auto store = RocksDbStore::open(path());
  const StoreGet got = store->get(key);
  ASSERT_TRUE(got.ok()) << got.error;
  ASSERT_TRUE(got.entry);
  EXPECT_EQ(*got.entry, entry(kT0 + hours(1)));
  EXPECT_EQ(store->count(), 1u);
}

TEST_F(GreylistStoreTest, SweepDeletesExpiredAndUndecodableEntriesOnly) {
  {
    auto store = RocksDbStore::open(path());
    for (int i = 0; i < 2500; ++i) {  // more than one sweep batch
      ASSERT_TRUE(store->put("old" + std::to_string(i), entry(kT0 + seconds(i % 10))).ok());
    }
    ASSERT_TRUE(store->put("fresh", entry(kT0 + hours(2))).ok());
  }
  {
    // A value this version cannot read (written behind the store's back).
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "garbage", "not an entry").ok());
  }
  auto store = RocksDbStore::open(path());
  EXPECT_FALSE(store->get("garbage").entry);  // undecodable counts as missing
  EXPECT_TRUE(store->get("garbage").ok());
  const StoreSweep swept = store->sweep(kT0 + hours(1));
  ASSERT_TRUE(swept.ok()) << swept.error;
  EXPECT_EQ(swept.deleted, 2501u);
  EXPECT_EQ(store->count(), 1u);
  EXPECT_TRUE(store->get("fresh").entry);
  EXPECT_EQ(store->sweep(kT0 + hours(1)).deleted, 0u);
}

TEST_F(GreylistStoreTest, RefusesAnUnknownFormat) {
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), std::string("\0format", 7), "9").ok());
  }
  EXPECT_THROW(RocksDbStore::open(path()), std::runtime_error);
}

TEST_F(GreylistStoreTest, FullCycleOverRocksDb) {
  FakeClock clock(kT0);
  auto store = RocksDbStore::open(path());
  Greylist greylist(*store, clock);
  CheckResult r = greylist.check(triplet(), params());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.decision.action, Action::defer);
  EXPECT_EQ(r.decision.retry_after, minutes(5));
  clock.advance(minutes(2));
  r = greylist.check(triplet("A@B.test"), params());  // same triplet, other case
  EXPECT_EQ(r.decision.action, Action::defer);
  EXPECT_EQ(r.decision.retry_after, minutes(3));
  EXPECT_EQ(greylist.check(triplet("other@b.test"), params()).decision.action, Action::defer);
  clock.advance(minutes(3));
  r = greylist.check(triplet(), params());
  EXPECT_EQ(r.decision.action, Action::pass);
  EXPECT_FALSE(r.decision.passed_before);
  clock.advance(hours(23));
  r = greylist.check(triplet(), params());
  EXPECT_EQ(r.decision.action, Action::pass);
  EXPECT_TRUE(r.decision.passed_before);
  // The other triplet's window (4 h) is long gone: the sweep removes it, not the passed one.
  const StoreSweep swept = greylist.sweep();
  EXPECT_EQ(swept.deleted, 1u);
  EXPECT_EQ(store->count(), 1u);
  clock.advance(hours(24) + seconds(1));
  EXPECT_EQ(greylist.check(triplet(), params()).decision.action, Action::defer);
}

TEST_F(GreylistStoreTest, StateSurvivesReopenThroughGreylist) {
  FakeClock clock(kT0);
  {
    auto store = RocksDbStore::open(path());
    Greylist greylist(*store, clock);
    EXPECT_EQ(greylist.check(triplet(), params()).decision.action, Action::defer);
  }
  clock.advance(minutes(6));
  auto store = RocksDbStore::open(path());
  Greylist greylist(*store, clock);
  EXPECT_EQ(greylist.check(triplet(), params()).decision.action, Action::pass);
}

TEST_F(GreylistStoreTest, ConcurrentChecksOfOneTripletAreSerialized) {
  FakeClock clock(kT0);
  auto store = RocksDbStore::open(path());
  Greylist greylist(*store, clock);
  ASSERT_EQ(greylist.check(triplet(), params()).decision.action, Action::defer);
  clock.advance(minutes(10));
  // Now many edges retry at once: exactly one is the first pass, every other one sees the
  // triplet as already passed (without serialization several would read "not yet passed").
  std::atomic<int> first{0};
  std::atomic<int> again{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        const CheckResult r = greylist.check(triplet(), params());
        if (!r.ok() || r.decision.action != Action::pass) {
          ++failed;
        } else if (r.decision.passed_before) {
          ++again;
        } else {
          ++first;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(first.load(), 1);
  EXPECT_EQ(again.load(), 399);
  EXPECT_EQ(store->get(store_key(triplet())).entry->passes, 400u);
}

TEST_F(GreylistStoreTest, SweeperRunsInTheBackgroundAndStopsPromptly) {
  FakeClock clock(kT0);
  auto store = RocksDbStore::open(path());
  Greylist greylist(*store, clock);
  for (int i = 0; i < 10; ++i) greylist.check(triplet("s" + std::to_string(i) + "@b"), params());
  EXPECT_EQ(store->count(), 10u);
  clock.advance(hours(5));  // past every unpassed entry's retry window
  const auto started = std::chrono::steady_clock::now();
  {
    Sweeper sweeper(greylist, milliseconds(20));
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (store->count() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(5));  // polling a condition, with a deadline
    }
    EXPECT_EQ(store->count(), 0u);
  }
  // A long interval must not delay destruction.
  {
    Sweeper idle(greylist, hours(1));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(5));
}

}  // namespace
}  // namespace postern::router::greylist
