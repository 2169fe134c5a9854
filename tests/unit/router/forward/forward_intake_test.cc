// The gateway side of Forward against a real RocksDB queue: stored durably with its key, the
// same Forward twice (a lost ack) stores one copy and answers the same id, also after the
// gateway delivered and removed it and after a restart; refusals store nothing.
#include "router/forward/forward_intake.h"

#include <gtest/gtest.h>

#include <future>

#include "../test_support.h"
#include "router/forward/forward_record.h"

namespace postern::router::forward {
namespace {

using namespace postern::router::testing;

const std::string kBody = "From: alice@sender.test\r\nSubject: hi\r\n\r\nbody\r\n";

class ForwardIntakeTest : public ::testing::Test, protected RouterCoreFixture {
 protected:
  ForwardIntakeTest() {
    config.node.name = "demeter";
    config.router.destinations["remote"].served_by = {"demeter"};
  }

  postern::v1::ForwardHeader header(const std::string& origin_id,
                                    std::vector<std::string> rcpts = {"bob@remote.test"}) {
    NewMessage m = make_message(origin_id, "alice@sender.test", rcpts, kBody);
    return make_forward_header(m.meta, rcpts, "athena", kBody.size());
  }

  ForwardResult store(ForwardIntake& intake, const postern::v1::ForwardHeader& h,
                      std::string body = kBody) {
    std::promise<ForwardResult> done;
    auto f = done.get_future();
    intake.store(h, std::move(body), [&done](ForwardResult r) { done.set_value(std::move(r)); });
    return f.get();
  }

  std::vector<std::string> stored;
  std::mutex mu;
  ForwardIntake::OnStored on_stored = [this](const std::string& id) {
    std::lock_guard lock(mu);
    stored.push_back(id);
  };
};

TEST_F(ForwardIntakeTest, StoresOnceAndAnswersTheSameIdWhenRepeated) {
  ForwardIntake intake(config, *queue, ids, clock, counters, on_stored);
  const auto h = header("0origin1");
  const ForwardResult first = store(intake, h);
  ASSERT_EQ(first.code, ForwardResult::Code::ok) << first.detail;
  EXPECT_FALSE(first.duplicate);
  const ForwardResult again = store(intake, h);
  ASSERT_EQ(again.code, ForwardResult::Code::ok) << again.detail;
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.queue_id, first.queue_id);

  const auto records = all_records(*queue);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].queue_id(), first.queue_id);
  EXPECT_EQ(records[0].forwarded_from().queue_id(), "0origin1");
  EXPECT_EQ(*queue->load_body(first.queue_id), kBody);
  EXPECT_EQ(stored, std::vector<std::string>{first.queue_id});  // scheduler told once
  EXPECT_EQ(counters.forwarded_in.load(), 1u);
  EXPECT_EQ(counters.forward_duplicates.load(), 1u);
}

TEST_F(ForwardIntakeTest, RepeatedAfterDeliveryAndRestartStillStoresNothing) {
  std::string first_id;
  {
    ForwardIntake intake(config, *queue, ids, clock, counters, on_stored);
    first_id = store(intake, header("0origin2")).queue_id;
    ASSERT_FALSE(first_id.empty());
  }
  ASSERT_TRUE(queue->remove(first_id).ok());  // delivered and removed on the gateway
  queue.reset();
  queue = RocksDbQueue::open(dir.str());       // gateway restarted
  ForwardIntake intake(config, *queue, ids, clock, counters, on_stored);
  const ForwardResult again = store(intake, header("0origin2"));
  ASSERT_EQ(again.code, ForwardResult::Code::ok);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.queue_id, first_id);
  EXPECT_TRUE(all_records(*queue).empty());
}

TEST_F(ForwardIntakeTest, OtherRecipientsOfTheSameMessageAreANewForward) {
  ForwardIntake intake(config, *queue, ids, clock, counters, on_stored);
  const auto a = store(intake, header("0origin3", {"bob@remote.test"}));
  const auto b = store(intake, header("0origin3", {"carol@remote.test"}));
  ASSERT_EQ(b.code, ForwardResult::Code::ok);
  EXPECT_FALSE(b.duplicate);
  EXPECT_NE(a.queue_id, b.queue_id);
  EXPECT_EQ(all_records(*queue).size(), 2u);
}

TEST_F(ForwardIntakeTest, RefusalsStoreNothing) {
  ForwardIntake intake(config, *queue, ids, clock, counters, on_stored);
  auto h = header("0origin4");
  EXPECT_EQ(store(intake, h, "short").code, ForwardResult::Code::invalid);
  h.set_hops(2);
  EXPECT_EQ(store(intake, h).code, ForwardResult::Code::invalid);
  config.router.destinations["remote"].served_by = {"hera"};
  config.cluster.nodes["hera"] = {"127.0.0.1", 7102};
  EXPECT_EQ(store(intake, header("0origin4")).code, ForwardResult::Code::not_served);
  EXPECT_TRUE(all_records(*queue).empty());
  // A refused Forward left no key behind: once served, it is stored.
  config.router.destinations["remote"].served_by = {"demeter"};
  const auto ok = store(intake, header("0origin4"));
  EXPECT_EQ(ok.code, ForwardResult::Code::ok);
  EXPECT_FALSE(ok.duplicate);
}

TEST_F(ForwardIntakeTest, KeysArePrunedAfterMaxAgePlusADay) {
  ForwardIntake intake(config, *queue, ids, clock, counters, on_stored);
  const auto h = header("0origin5");
  ASSERT_EQ(store(intake, h).code, ForwardResult::Code::ok);
  const std::string key = forward_key(h);
  ASSERT_TRUE(queue->forwarded_id(key));
  // Stored with the wall clock; everything stored before "now + 1 s" goes.
  const int64_t later = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count() + 1000;
  EXPECT_EQ(queue->prune_forwarded(later - int64_t{1000} * 3600 * 24 * 365), 0u);
  EXPECT_EQ(queue->prune_forwarded(later), 1u);
  EXPECT_FALSE(queue->forwarded_id(key));
}

}  // namespace
}  // namespace postern::router::forward
