// ConcurrencyLimiter: slots per key, guards release exactly once (also after moves), keys are
// forgotten at zero, unlimited mode.
#include <gtest/gtest.h>

#include <vector>

#include "common/ratelimit/concurrency_limiter.h"

namespace postern::ratelimit {
namespace {

TEST(ConcurrencyLimiter, AtMostMaxPerKey) {
  ConcurrencyLimiter limiter(2);
  auto a = limiter.try_acquire("192.0.2.1");
  auto b = limiter.try_acquire("192.0.2.1");
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_FALSE(limiter.try_acquire("192.0.2.1"));
  EXPECT_TRUE(limiter.try_acquire("192.0.2.2"));  // released at once (temporary)
  EXPECT_EQ(limiter.count("192.0.2.1"), 2u);
  EXPECT_EQ(limiter.count("192.0.2.2"), 0u);
  a.reset();
  EXPECT_EQ(limiter.count("192.0.2.1"), 1u);
  EXPECT_TRUE(limiter.try_acquire("192.0.2.1"));
}

TEST(ConcurrencyLimiter, GuardsReleaseOnceAcrossMoves) {
  ConcurrencyLimiter limiter(1);
  {
    auto g = limiter.try_acquire("k");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->key(), "k");
    ConcurrencyLimiter::Guard moved = std::move(*g);
    g.reset();  // the moved-from guard releases nothing
    EXPECT_EQ(limiter.count("k"), 1u);
    std::vector<ConcurrencyLimiter::Guard> held;
    held.push_back(std::move(moved));
    EXPECT_FALSE(limiter.try_acquire("k"));
    held.front().release();
    EXPECT_EQ(limiter.count("k"), 0u);
    held.front().release();  // twice: still once
    auto again = limiter.try_acquire("k");
    ASSERT_TRUE(again);
    // Move-assigning over a live guard releases what it held.
    auto other = limiter.try_acquire("j");
    ASSERT_TRUE(other);
    *other = std::move(*again);
    EXPECT_EQ(limiter.count("j"), 0u);
    EXPECT_EQ(limiter.count("k"), 1u);
  }
  EXPECT_EQ(limiter.count("k"), 0u);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(ConcurrencyLimiter, KeysAreForgottenAtZero) {
  ConcurrencyLimiter limiter(3);
  {
    std::vector<ConcurrencyLimiter::Guard> guards;
    for (int i = 0; i < 1000; ++i) guards.push_back(*limiter.try_acquire("k" + std::to_string(i)));
    EXPECT_EQ(limiter.size(), 1000u);
  }
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(ConcurrencyLimiter, ZeroMaxIsUnlimitedButCounts) {
  ConcurrencyLimiter limiter(0);
  std::vector<ConcurrencyLimiter::Guard> guards;
  for (int i = 0; i < 100; ++i) {
    auto g = limiter.try_acquire("k");
    ASSERT_TRUE(g);
    guards.push_back(std::move(*g));
  }
  EXPECT_EQ(limiter.count("k"), 100u);
}

}  // namespace
}  // namespace postern::ratelimit
