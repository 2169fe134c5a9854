#include "router/retry.h"

#include <gtest/gtest.h>

namespace postern::router {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(RetryDelay, FollowsTheScheduleThenRepeatsTheLast) {
  const std::vector<seconds> schedule{minutes(5), minutes(10), minutes(30), hours(1)};
  const std::pair<uint32_t, seconds> cases[] = {
      {0, minutes(5)},  // treated as the first failure
      {1, minutes(5)},   {2, minutes(10)}, {3, minutes(30)},
      {4, hours(1)},     {5, hours(1)},    {1000, hours(1)},
  };
  for (const auto& [attempts, delay] : cases) {
    EXPECT_EQ(retry_delay(schedule, attempts), delay) << attempts;
  }
}

TEST(RetryDelay, SingleEntryAndEmptySchedule) {
  EXPECT_EQ(retry_delay({seconds(7)}, 1), seconds(7));
  EXPECT_EQ(retry_delay({seconds(7)}, 9), seconds(7));
  EXPECT_EQ(retry_delay({}, 3), minutes(5));
}

TEST(NextAttempt, AddsTheDelay) {
  const SysTime now = from_unix_ms(1'700'000'000'000);
  EXPECT_EQ(next_attempt(now, {minutes(5), minutes(10)}, 2), now + minutes(10));
}

TEST(Expired, AtAndAfterMaxAge) {
  const SysTime received = from_unix_ms(1'700'000'000'000);
  const auto max_age = hours(24 * 5);
  EXPECT_FALSE(expired(received, received, max_age));
  EXPECT_FALSE(expired(received, received + max_age - seconds(1), max_age));
  EXPECT_TRUE(expired(received, received + max_age, max_age));
  EXPECT_TRUE(expired(received, received + max_age + hours(1), max_age));
}

}  // namespace
}  // namespace postern::router
