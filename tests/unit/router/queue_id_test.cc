#include "router/queue_id.h"

#include <gtest/gtest.h>

#include <set>

namespace postern::router {
namespace {

TEST(QueueId, FormatIsShortAndSafe) {
  FakeClock clock(from_unix_ms(1'700'000'000'000));
  QueueIdGenerator ids("demeter", clock);
  const std::string id = ids.next();
  EXPECT_EQ(id.size(), 19u);
  EXPECT_TRUE(valid_queue_id(id)) << id;
  EXPECT_EQ(id.find_first_not_of("0123456789abcdefghijklmnopqrstuv"), std::string::npos);
}

TEST(QueueId, UniqueWithinOneMillisecondAndAcrossNodes) {
  FakeClock clock(from_unix_ms(1'700'000'000'000));  // time stands still
  QueueIdGenerator a("demeter", clock);
  QueueIdGenerator b("hermes", clock);
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    EXPECT_TRUE(seen.insert(a.next()).second);
    EXPECT_TRUE(seen.insert(b.next()).second);
  }
}

TEST(QueueId, SortsByTime) {
  FakeClock clock(from_unix_ms(1'700'000'000'000));
  QueueIdGenerator ids("demeter", clock);
  const std::string first = ids.next();
  clock.advance(std::chrono::milliseconds(1));
  const std::string second = ids.next();
  EXPECT_LT(first.substr(0, 9), second.substr(0, 9));
  EXPECT_EQ(first.substr(9, 4), second.substr(9, 4));  // same node hash
}

TEST(ValidQueueId, RejectsOtherShapes) {
  EXPECT_FALSE(valid_queue_id(""));
  EXPECT_FALSE(valid_queue_id("0123456789abcdefghi0"));   // too long
  EXPECT_FALSE(valid_queue_id("0123456789abcdefgh"));     // too short
  EXPECT_FALSE(valid_queue_id("0123456789abcdefghw"));    // outside base32hex
  EXPECT_FALSE(valid_queue_id("0123456789ABCDEFGHI"));    // upper case
  EXPECT_FALSE(valid_queue_id("../../etc/passwd12345"));
  EXPECT_TRUE(valid_queue_id("0123456789abcdefghi"));
}

}  // namespace
}  // namespace postern::router
