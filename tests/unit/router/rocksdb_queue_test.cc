#include "router/rocksdb_queue.h"

#include <gtest/gtest.h>

#include <fstream>
#include <latch>
#include <thread>

#include "test_support.h"

namespace postern::router {
namespace {

using namespace testing;
using postern::v1::queue::RECIPIENT_STATUS_FAILED;

TEST(RocksDbQueue, EnqueuedMessagesSurviveReopen) {
  TempDir dir;
  {
    auto queue = RocksDbQueue::open(dir.str());
    ASSERT_TRUE(enqueue_sync(*queue, one(make_message("a1", "s@sender.test", {"r@remote.test"},
                                                      "Subject: 1\r\n\r\nbody one\r\n")))
                    .ok());
    ASSERT_TRUE(enqueue_sync(*queue, one(make_message("a2", "", {"x@remote.test", "y@remote.test"},
                                                      std::string(100000, 'b'))))
                    .ok());
  }
  auto queue = RocksDbQueue::open(dir.str());
  EXPECT_EQ(queue_ids(*queue), (std::vector<std::string>{"a1", "a2"}));
  auto meta = queue->load("a2");
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->recipients_size(), 2);
  EXPECT_EQ(meta->recipients(1).address(), "y@remote.test");
  auto body = queue->load_body("a2");
  ASSERT_TRUE(body);
  EXPECT_EQ(*body, std::string(100000, 'b'));
  EXPECT_EQ(*queue->load_body("a1"), "Subject: 1\r\n\r\nbody one\r\n");
  EXPECT_FALSE(queue->load("nope"));
  EXPECT_EQ(queue->load_body("nope"), nullptr);
  EXPECT_EQ(queue->unhealthy_reason(), "");
}

TEST(RocksDbQueue, RemoveDeletesMetadataAndBody) {
  TempDir dir;
  auto queue = RocksDbQueue::open(dir.str());
  ASSERT_TRUE(enqueue_sync(*queue, one(make_message("a1", "s@x", {"r@remote.test"}, "x"))).ok());
  ASSERT_TRUE(queue->remove("a1").ok());
  EXPECT_TRUE(queue->remove("absent").ok());
  EXPECT_FALSE(queue->load("a1"));
  EXPECT_EQ(queue->load_body("a1"), nullptr);
  queue.reset();
  queue = RocksDbQueue::open(dir.str());
  EXPECT_TRUE(queue_ids(*queue).empty());
}

TEST(RocksDbQueue, MessagesOfOneEnqueueAreStoredTogether) {
  TempDir dir;
  auto queue = RocksDbQueue::open(dir.str());
  std::vector<NewMessage> batch;
  batch.push_back(make_message("orig", "s@sender.test", {"r@remote.test"}, "o"));
  batch.push_back(make_message("dsn", "", {"s@sender.test"}, "d"));
  ASSERT_TRUE(enqueue_sync(*queue, std::move(batch)).ok());
  EXPECT_EQ(queue_ids(*queue), (std::vector<std::string>{"dsn", "orig"}));
  EXPECT_EQ(*queue->load_body("dsn"), "d");
}

// Q2: the failure mark and the DSN are one batch; after reopening both exist.
TEST(RocksDbQueue, FailureMarkAndDsnAreCommittedTogether) {
  TempDir dir;
  {
    auto queue = RocksDbQueue::open(dir.str());
    auto original = make_message("orig", "s@sender.test", {"r@remote.test", "q@remote.test"}, "o");
    ASSERT_TRUE(enqueue_sync(*queue, one(original)).ok());
    MessageRecord updated = original.meta;
    updated.mutable_recipients(0)->set_status(RECIPIENT_STATUS_FAILED);
    std::vector<NewMessage> dsns;
    dsns.push_back(make_message("dsn1", "", {"s@sender.test"}, "bounce"));
    ASSERT_TRUE(queue->commit_outcome(updated, false, std::move(dsns)).ok());
  }
  auto queue = RocksDbQueue::open(dir.str());
  EXPECT_EQ(queue->load("orig")->recipients(0).status(), RECIPIENT_STATUS_FAILED);
  EXPECT_EQ(*queue->load_body("dsn1"), "bounce");
  // Removing the original in the same write as a second DSN.
  std::vector<NewMessage> dsns;
  dsns.push_back(make_message("dsn2", "", {"s@sender.test"}, "bounce2"));
  ASSERT_TRUE(queue->commit_outcome(*queue->load("orig"), true, std::move(dsns)).ok());
  EXPECT_EQ(queue_ids(*queue), (std::vector<std::string>{"dsn1", "dsn2"}));
  EXPECT_EQ(queue->load_body("orig"), nullptr);
}

// Group commit, deterministically: while the committer is held inside one completion, 100
// more enqueues arrive; they must all be written with ONE further fsync.
TEST(RocksDbQueue, PendingEnqueuesShareOneSync) {
  TempDir dir;
  auto queue = RocksDbQueue::open(dir.str());
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> held;
  queue->enqueue(one(make_message("first", "s@x", {"r@remote.test"}, "1")),
                 [&](QueueStatus s) {
                   EXPECT_TRUE(s.ok());
                   held.set_value();
                   released.wait();  // the committer is busy: new work piles up
                 });
  held.get_future().wait();
  std::atomic<int> completed{0};
  std::latch all_done(100);
  for (int i = 0; i < 100; ++i) {
    queue->enqueue(one(make_message("m" + std::to_string(1000 + i), "s@x", {"r@remote.test"}, "b")),
                   [&](QueueStatus s) {
                     EXPECT_TRUE(s.ok()) << s.error;
                     ++completed;
                     all_done.count_down();
                   });
  }
  release.set_value();
  all_done.wait();
  EXPECT_EQ(completed.load(), 100);
  const auto stats = queue->stats();
  EXPECT_EQ(stats.synced_groups, 2u);
  EXPECT_EQ(stats.enqueued_batches, 101u);
  EXPECT_EQ(queue_ids(*queue).size(), 101u);
}

// Many concurrent writers: every enqueue completes exactly once, successfully, and every
// message is there after a reopen.
TEST(RocksDbQueue, ConcurrentWritersAllComplete) {
  TempDir dir;
  constexpr int kThreads = 16;
  constexpr int kPerThread = 50;
  {
    auto queue = RocksDbQueue::open(dir.str());
    std::atomic<int> ok{0}, failed{0};
    std::latch done(kThreads * kPerThread);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const std::string id = "t" + std::to_string(100 + t) + "-" + std::to_string(1000 + i);
          queue->enqueue(one(make_message(id, "s@x", {"r@remote.test"}, std::string(1024, 'x'))),
                         [&](QueueStatus s) {
                           (s.ok() ? ok : failed)++;
                           done.count_down();
                         });
        }
      });
    }
    for (auto& t : threads) t.join();
    done.wait();
    EXPECT_EQ(ok.load(), kThreads * kPerThread);
    EXPECT_EQ(failed.load(), 0);
    EXPECT_LE(queue->stats().synced_groups, static_cast<uint64_t>(kThreads * kPerThread));
  }
  auto queue = RocksDbQueue::open(dir.str());
  EXPECT_EQ(queue_ids(*queue).size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST(RocksDbQueue, ForEachStopsWhenAsked) {
  TempDir dir;
  auto queue = RocksDbQueue::open(dir.str());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(enqueue_sync(*queue, one(make_message("m" + std::to_string(i), "", {"r@remote.test"}, "b"))).ok());
  }
  int seen = 0;
  queue->for_each([&](const MessageRecord&) { return ++seen < 2; });
  EXPECT_EQ(seen, 2);
}

TEST(RocksDbQueue, OpenFailsWithAReason) {
  TempDir dir;
  const std::string file = dir.str() + "/not-a-dir";
  std::ofstream(file) << "x";
  try {
    RocksDbQueue::open(file + "/queue");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not-a-dir"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace postern::router
