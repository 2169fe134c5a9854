// Both limiters under threads (like the edge's io_context per core): the limits hold exactly
// and no slot leaks. Meaningful under TSan too (no data race on the shards).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common/ratelimit/concurrency_limiter.h"
#include "common/ratelimit/rate_limiter.h"

namespace postern::ratelimit {
namespace {

constexpr int kThreads = 8;

TEST(RateLimiterStress, ExactlyCountPassPerKeyOnFrozenTime) {
  ManualClock clock;  // time stands still: each key's allowance is exactly `count`
  RateLimiter limiter({100, std::chrono::seconds(60)}, clock, {.max_keys = 100000, .shards = 16});
  constexpr int kKeys = 50;
  std::vector<std::atomic<int>> passed(kKeys);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        const int k = (i * 7 + t) % kKeys;
        if (limiter.acquire("key-" + std::to_string(k)).allowed) ++passed[static_cast<std::size_t>(k)];
      }
    });
  }
  for (auto& th : threads) th.join();
  // 8 threads x 5000 = 40000 attempts over 50 keys: 800 each, 100 pass.
  for (int k = 0; k < kKeys; ++k) EXPECT_EQ(passed[static_cast<std::size_t>(k)].load(), 100) << k;
}

TEST(RateLimiterStress, BoundedUnderAFloodOfKeysWhileTimeMoves) {
  ManualClock clock;
  RateLimiter limiter({3, std::chrono::seconds(10)}, clock, {.max_keys = 1000, .shards = 16});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        limiter.acquire(std::to_string(t) + "/" + std::to_string(i % 3000));
        if (i % 1000 == 0) clock.advance(std::chrono::milliseconds(50));
        if (i % 500 == 0) (void)limiter.available("0/1");
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(limiter.size(), 1000u);
}

TEST(ConcurrencyLimiterStress, NeverAboveMaxAndNothingLeaks) {
  ConcurrencyLimiter limiter(4);
  std::atomic<int> inside{0};
  std::atomic<int> worst{0};
  std::atomic<int> acquired{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        auto guard = limiter.try_acquire("192.0.2.1");
        if (!guard) continue;
        ++acquired;
        const int now = ++inside;
        int seen = worst.load();
        while (now > seen && !worst.compare_exchange_weak(seen, now)) {
        }
        --inside;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(worst.load(), 4);
  EXPECT_GT(acquired.load(), 0);
  EXPECT_EQ(limiter.count("192.0.2.1"), 0u);
  EXPECT_EQ(limiter.size(), 0u);
}

}  // namespace
}  // namespace postern::ratelimit
