// RateLimiter on simulated time: burst, steady rate, retry_after, cost, idle refill, bounded
// memory with LRU eviction, key cutting, unlimited and invalid limits.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "common/ratelimit/rate_limiter.h"

namespace postern::ratelimit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimiter, BurstOfCountThenOneEveryInterval) {
  ManualClock clock;
  RateLimiter limiter({10, seconds(60)}, clock);  // 10 a minute: one every 6 s
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.acquire("192.0.2.1").allowed) << i;
  const auto refused = limiter.acquire("192.0.2.1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds(6));
  clock.advance(seconds(5));
  const auto still = limiter.acquire("192.0.2.1");
  EXPECT_FALSE(still.allowed);
  EXPECT_EQ(still.retry_after, seconds(1));
  clock.advance(seconds(1));
  EXPECT_TRUE(limiter.acquire("192.0.2.1").allowed);
  EXPECT_FALSE(limiter.acquire("192.0.2.1").allowed);
}

TEST(RateLimiter, NeverMoreThanCountPlusRefillInAnyWindow) {
  ManualClock clock;
  RateLimiter limiter({5, seconds(10)}, clock);  // one every 2 s
  // Hammer every 100 ms for 60 s: the burst of 5 (t = 0 .. 0.4 s), then one every 2 s
  // (t = 2, 4, ..., 58 s: 29).
  std::vector<int> passed_at;  // in units of 100 ms
  for (int i = 0; i < 600; ++i) {
    if (limiter.acquire("k").allowed) passed_at.push_back(i);
    clock.advance(milliseconds(100));
  }
  EXPECT_EQ(passed_at.size(), 5u + 29u);
  // Any 10 s span holds at most the burst plus what refills in it (5 + 5).
  for (std::size_t i = 0; i < passed_at.size(); ++i) {
    std::size_t in_window = 0;
    for (std::size_t j = i; j < passed_at.size() && passed_at[j] < passed_at[i] + 100; ++j) {
      ++in_window;
    }
    EXPECT_LE(in_window, 10u);
  }
}

TEST(RateLimiter, KeysAreIndependent) {
  ManualClock clock;
  RateLimiter limiter({1, seconds(60)}, clock);
  EXPECT_TRUE(limiter.acquire("a").allowed);
  EXPECT_FALSE(limiter.acquire("a").allowed);
  EXPECT_TRUE(limiter.acquire("b").allowed);
  EXPECT_EQ(limiter.available("a"), 0u);
  EXPECT_EQ(limiter.available("c"), 1u);
}

TEST(RateLimiter, RefusalTakesNothing) {
  ManualClock clock;
  RateLimiter limiter({2, seconds(10)}, clock);
  EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_TRUE(limiter.acquire("k").allowed);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(limiter.acquire("k").allowed);
  clock.advance(seconds(5));  // one interval: exactly one event back, despite the refusals
  EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_FALSE(limiter.acquire("k").allowed);
}

TEST(RateLimiter, CostTakesSeveralOrNone) {
  ManualClock clock;
  RateLimiter limiter({10, seconds(10)}, clock);
  EXPECT_TRUE(limiter.acquire("k", 7).allowed);
  EXPECT_EQ(limiter.available("k"), 3u);
  const auto refused = limiter.acquire("k", 5);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds(2));
  EXPECT_EQ(limiter.available("k"), 3u);
  EXPECT_TRUE(limiter.acquire("k", 3).allowed);
  EXPECT_EQ(limiter.available("k"), 0u);
  const auto too_big = limiter.acquire("other", 11);
  EXPECT_FALSE(too_big.allowed);
  EXPECT_EQ(too_big.retry_after, seconds(10));
  EXPECT_TRUE(limiter.acquire("k", 0).allowed);
}

TEST(RateLimiter, IdleKeyGetsItsWholeAllowanceBackAndIsForgotten) {
  ManualClock clock;
  RateLimiter limiter({3, seconds(30)}, clock, {.max_keys = 100, .shards = 1});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_FALSE(limiter.acquire("k").allowed);
  clock.advance(seconds(30));
  EXPECT_EQ(limiter.available("k"), 3u);
  // A new key drops the old key whose allowance is full again (same as unknown).
  EXPECT_TRUE(limiter.acquire("other").allowed);
  EXPECT_EQ(limiter.size(), 1u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_FALSE(limiter.acquire("k").allowed);
}

TEST(RateLimiter, MemoryIsBoundedByEvictingTheLeastRecentlyUsed) {
  ManualClock clock;
  RateLimiter limiter({1, seconds(3600)}, clock, {.max_keys = 4, .shards = 1});
  for (const char* k : {"a", "b", "c", "d"}) EXPECT_TRUE(limiter.acquire(k).allowed);
  EXPECT_EQ(limiter.size(), 4u);
  EXPECT_FALSE(limiter.acquire("a").allowed);  // "a" is now the most recently used
  EXPECT_TRUE(limiter.acquire("e").allowed);   // evicts "b"
  EXPECT_EQ(limiter.size(), 4u);
  EXPECT_EQ(limiter.available("b"), 1u);  // forgotten: a fresh allowance (documented)
  EXPECT_EQ(limiter.available("a"), 0u);
  EXPECT_EQ(limiter.available("c"), 0u);
  for (int i = 0; i < 10000; ++i) limiter.acquire("flood-" + std::to_string(i));
  EXPECT_EQ(limiter.size(), 4u);
}

TEST(RateLimiter, MaxKeysIsSplitOverShards) {
  ManualClock clock;
  RateLimiter limiter({1, seconds(3600)}, clock, {.max_keys = 64, .shards = 8});
  for (int i = 0; i < 10000; ++i) limiter.acquire("k" + std::to_string(i));
  EXPECT_LE(limiter.size(), 64u);
  EXPECT_GE(limiter.size(), 32u);  // the hash spreads keys: every shard is used
}

TEST(RateLimiter, LongKeysAreCut) {
  ManualClock clock;
  RateLimiter limiter({1, seconds(60)}, clock);
  const std::string base(kMaxKeyBytes, 'x');
  EXPECT_TRUE(limiter.acquire(base + "first").allowed);
  EXPECT_FALSE(limiter.acquire(base + "second").allowed);  // same first kMaxKeyBytes octets
}

TEST(RateLimiter, ZeroCountIsUnlimited) {
  ManualClock clock;
  RateLimiter limiter({0, {}}, clock);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.acquire("k").allowed);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiter, InvalidLimitsThrow) {
  ManualClock clock;
  EXPECT_THROW(RateLimiter({5, seconds(0)}, clock), std::invalid_argument);
  EXPECT_THROW(RateLimiter({5, seconds(-1)}, clock), std::invalid_argument);
  EXPECT_THROW(RateLimiter({1000, std::chrono::nanoseconds(10)}, clock), std::invalid_argument);
  EXPECT_THROW(RateLimiter({5, seconds(1)}, clock, {.max_keys = 10, .shards = 0}),
               std::invalid_argument);
}

}  // namespace
}  // namespace postern::ratelimit
