// The scheduler against a real RocksDB queue (temp dir), a fake deliverer and a fake clock.
// The io_context runs on the test thread (poll), so every step is deterministic.
#include "router/scheduler.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <list>

#include "test_support.h"

namespace postern::router {
namespace {

using namespace testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using postern::v1::queue::RECIPIENT_STATUS_DELIVERED;
using postern::v1::queue::RECIPIENT_STATUS_FAILED;
using postern::v1::queue::RECIPIENT_STATUS_PENDING;

Outcome delivered() { return Outcome{Outcome::Kind::delivered, smtp::Reply(250, {2, 0, 0}, "Ok"), "mx.remote.test[127.0.0.1]:25"}; }
Outcome temporary() { return Outcome{Outcome::Kind::temporary, smtp::Reply(451, {4, 4, 1}, "Try later"), "mx.remote.test[127.0.0.1]:25"}; }
Outcome permanent() { return Outcome{Outcome::Kind::permanent, smtp::Reply(550, {5, 1, 1}, "No such user"), "mx.remote.test[127.0.0.1]:25"}; }

struct Attempt {
  std::string destination;
  DeliveryJob job;
};

class SchedulerTest : public ::testing::Test, protected RouterCoreFixture {
 protected:
  class FakeDeliverer : public Deliverer {
   public:
    FakeDeliverer(std::string name, SchedulerTest& test) : name_(std::move(name)), test_(test) {}
    asio::awaitable<std::vector<Outcome>> deliver(const DeliveryJob& job) override {
      test_.attempts.push_back({name_, job});
      ++test_.running;
      test_.max_running = std::max(test_.max_running, test_.running);
      if (test_.hold) {
        auto& timer = test_.held.emplace_back(co_await asio::this_coro::executor);
        timer.expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec && !test_.releasing) {  // cancelled from outside: an interrupted attempt
          --test_.running;
          co_return std::vector<Outcome>(job.recipients.size(), temporary());
        }
      }
      --test_.running;
      std::vector<Outcome> out;
      for (const auto& r : job.recipients) out.push_back(test_.script(name_, r));
      co_return out;
    }

   private:
    std::string name_;
    SchedulerTest& test_;
  };

  void SetUp() override {
    script = [](const std::string&, const std::string&) { return delivered(); };
  }

  void make_scheduler() {
    scheduler = std::make_unique<Scheduler>(
        io.get_executor(), config, *queue, ids, clock, counters,
        [this](const config::Destination& d) { return std::make_unique<FakeDeliverer>(d.name, *this); });
    recovered = scheduler->recover();
    scheduler->start();
    run();
  }

  void run() {
    io.restart();
    io.poll();
  }

  void advance(std::chrono::milliseconds by) {
    clock.advance(by);
    scheduler->wake();
    run();
  }

  void release_held() {
    releasing = true;
    for (auto& t : held) t.cancel();
    run();
    held.clear();
    releasing = false;
  }

  std::string submit(const std::string& from, const std::vector<std::string>& rcpts) {
    NewMessage m = make_message(ids.next(), from, rcpts,
                                "From: " + from + "\r\nSubject: test\r\nMessage-ID: <t1@sender.test>\r\n\r\nHello\r\n",
                                to_unix_ms(clock.now()));
    const std::string id = m.meta.queue_id();
    EXPECT_TRUE(enqueue_sync(*queue, one(std::move(m))).ok());
    scheduler->enqueued(id);
    run();
    return id;
  }

  std::vector<MessageRecord> queued() { return all_records(*queue); }

  asio::io_context io;
  std::function<Outcome(const std::string& destination, const std::string& rcpt)> script;
  std::vector<Attempt> attempts;
  bool hold = false;
  bool releasing = false;
  std::list<asio::steady_timer> held;
  int running = 0;
  int max_running = 0;
  std::size_t recovered = 0;
  std::unique_ptr<Scheduler> scheduler;
};

TEST_F(SchedulerTest, DeliveredMessageIsRemoved) {
  make_scheduler();
  const std::string id = submit("alice@sender.test", {"bob@remote.test"});
  ASSERT_EQ(attempts.size(), 1u);
  const DeliveryJob& job = attempts[0].job;
  EXPECT_EQ(attempts[0].destination, "remote");
  EXPECT_EQ(job.queue_id, id);
  EXPECT_EQ(job.mail_from, "alice@sender.test");
  EXPECT_EQ(job.recipients, std::vector<std::string>{"bob@remote.test"});
  EXPECT_EQ(job.domain, "remote.test");
  ASSERT_NE(job.message, nullptr);
  EXPECT_NE(job.message->find("Hello\r\n"), std::string::npos);
  EXPECT_TRUE(queued().empty());
  EXPECT_EQ(counters.delivered.load(), 1u);
  EXPECT_EQ(counters.removed.load(), 1u);
  EXPECT_EQ(scheduler->tracked(), 0u);
}

TEST_F(SchedulerTest, RecipientsAreGroupedByDestinationAndDomain) {
  make_scheduler();
  submit("alice@sender.test", {"a@remote.test", "c@x.sub.test", "b@remote.test", "d@sender.test"});
  ASSERT_EQ(attempts.size(), 3u);
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> groups;
  for (const auto& a : attempts) groups[{a.destination, a.job.domain}] = a.job.recipients;
  EXPECT_EQ(groups[std::make_pair(std::string("remote"), std::string("remote.test"))],
            (std::vector<std::string>{"a@remote.test", "b@remote.test"}));
  EXPECT_EQ(groups[std::make_pair(std::string("remote"), std::string("x.sub.test"))],
            std::vector<std::string>{"c@x.sub.test"});
  EXPECT_EQ(groups[std::make_pair(std::string("senders"), std::string("sender.test"))],
            std::vector<std::string>{"d@sender.test"});
  EXPECT_TRUE(queued().empty());
}

TEST_F(SchedulerTest, TemporaryFailureIsRetriedOnScheduleThenDelivered) {
  int calls = 0;
  script = [&](const std::string&, const std::string&) { return ++calls <= 2 ? temporary() : delivered(); };
  make_scheduler();
  const SysTime t0 = clock.now();
  const std::string id = submit("alice@sender.test", {"bob@remote.test"});
  ASSERT_EQ(attempts.size(), 1u);
  auto record = queue->load(id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->recipients(0).status(), RECIPIENT_STATUS_PENDING);
  EXPECT_EQ(record->recipients(0).attempts(), 1u);
  EXPECT_EQ(record->recipients(0).last_reply(), "451 4.4.1 Try later");
  EXPECT_EQ(record->recipients(0).next_attempt_unix_ms(), to_unix_ms(t0 + 5min));
  EXPECT_EQ(scheduler->due_time(id), t0 + 5min);

  advance(4min);  // not yet due
  EXPECT_EQ(attempts.size(), 1u);
  advance(1min);  // first retry: fails again, next delay is the schedule's second (10 min)
  EXPECT_EQ(attempts.size(), 2u);
  EXPECT_EQ(queue->load(id)->recipients(0).next_attempt_unix_ms(), to_unix_ms(t0 + 15min));
  advance(10min);
  EXPECT_EQ(attempts.size(), 3u);
  EXPECT_TRUE(queued().empty());
  EXPECT_EQ(counters.deferred.load(), 2u);
  EXPECT_EQ(counters.delivered.load(), 1u);
  EXPECT_EQ(counters.dsn_queued.load(), 0u);
}

TEST_F(SchedulerTest, PermanentFailureQueuesDsnAndRemovesTheOriginal) {
  // The remote refuses; the DSN's own destination is down, so the DSN stays queued to look at.
  script = [](const std::string& destination, const std::string&) {
    return destination == "remote" ? permanent() : temporary();
  };
  make_scheduler();
  const std::string id = submit("alice@sender.test", {"nobody@remote.test"});
  EXPECT_FALSE(queue->load(id));
  const auto left = queued();
  ASSERT_EQ(left.size(), 1u);
  const MessageRecord& dsn = left[0];
  EXPECT_TRUE(dsn.is_dsn());
  EXPECT_EQ(dsn.envelope().mail_from(), "");
  ASSERT_EQ(dsn.recipients_size(), 1);
  EXPECT_EQ(dsn.recipients(0).address(), "alice@sender.test");
  EXPECT_EQ(dsn.recipients(0).destination(), "senders");
  // The DSN was attempted right away, like any new message.
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[1].destination, "senders");
  EXPECT_EQ(attempts[1].job.mail_from, "");
  const std::string& body = *attempts[1].job.message;
  EXPECT_NE(body.find("Final-Recipient: rfc822; nobody@remote.test\r\n"), std::string::npos);
  EXPECT_NE(body.find("Status: 5.1.1\r\n"), std::string::npos);
  EXPECT_NE(body.find("Remote-MTA: dns; mx.remote.test\r\n"), std::string::npos);
  EXPECT_NE(body.find("Diagnostic-Code: smtp; 550 5.1.1 No such user\r\n"), std::string::npos);
  EXPECT_NE(body.find("Message-ID: <t1@sender.test>"), std::string::npos);  // original headers
  EXPECT_EQ(counters.failed.load(), 1u);
  EXPECT_EQ(counters.dsn_queued.load(), 1u);
}

TEST_F(SchedulerTest, OnlyFailedRecipientsAreInTheDsnAndOthersStay) {
  script = [](const std::string&, const std::string& rcpt) {
    if (rcpt == "nobody@remote.test") return permanent();
    if (rcpt == "later@remote.test") return temporary();
    return delivered();
  };
  make_scheduler();
  const std::string id =
      submit("alice@sender.test", {"nobody@remote.test", "ok@remote.test", "later@remote.test"});
  auto record = queue->load(id);
  ASSERT_TRUE(record);  // "later" is still pending
  EXPECT_EQ(record->recipients(0).status(), RECIPIENT_STATUS_FAILED);
  EXPECT_EQ(record->recipients(0).dsn_status(), "5.1.1");
  EXPECT_EQ(record->recipients(1).status(), RECIPIENT_STATUS_DELIVERED);
  EXPECT_EQ(record->recipients(2).status(), RECIPIENT_STATUS_PENDING);
  ASSERT_EQ(attempts.size(), 2u);  // original, then the DSN (delivered)
  const std::string& dsn = *attempts[1].job.message;
  EXPECT_NE(dsn.find("nobody@remote.test"), std::string::npos);
  EXPECT_EQ(dsn.find("Final-Recipient: rfc822; ok@remote.test"), std::string::npos);
  EXPECT_EQ(dsn.find("Final-Recipient: rfc822; later@remote.test"), std::string::npos);

  // The retry attempts only the pending recipient.
  script = [](const std::string&, const std::string&) { return delivered(); };
  advance(5min);
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[2].job.recipients, std::vector<std::string>{"later@remote.test"});
  EXPECT_TRUE(queued().empty());
}

TEST_F(SchedulerTest, ExpiryFailsWithStatus447) {
  script = [](const std::string& destination, const std::string&) {
    return destination == "remote" ? temporary() : delivered();
  };
  config.router.retry.max_age = 1h;
  config.router.retry.schedule = {20min};
  make_scheduler();
  const std::string id = submit("alice@sender.test", {"slow@remote.test"});
  advance(20min);
  advance(20min);
  EXPECT_EQ(attempts.size(), 3u);
  EXPECT_TRUE(queue->load(id));   // 40 minutes old: still retried
  advance(20min);                 // 60 minutes: this temporary failure is final
  EXPECT_FALSE(queue->load(id));
  ASSERT_EQ(attempts.size(), 5u);  // 4 attempts + the DSN
  const std::string& dsn = *attempts[4].job.message;
  EXPECT_NE(dsn.find("Status: 4.4.7\r\n"), std::string::npos);
  EXPECT_NE(dsn.find("Diagnostic-Code: smtp; 451 4.4.1 Try later\r\n"), std::string::npos);
  EXPECT_EQ(counters.expired.load(), 1u);
  EXPECT_TRUE(queued().empty());
}

TEST_F(SchedulerTest, NullSenderGetsNoDsn) {
  script = [](const std::string&, const std::string&) { return permanent(); };
  make_scheduler();
  submit("", {"nobody@remote.test"});
  EXPECT_EQ(attempts.size(), 1u);
  EXPECT_TRUE(queued().empty());
  EXPECT_EQ(counters.dsn_queued.load(), 0u);
  EXPECT_EQ(counters.dsn_suppressed.load(), 1u);
}

TEST_F(SchedulerTest, RecoversPendingMailAtStart) {
  // Written before the scheduler exists, as a previous process would have left it.
  auto due_now = make_message("0000000000000000001", "a@sender.test", {"x@remote.test"}, "1");
  auto later = make_message("0000000000000000002", "a@sender.test", {"y@remote.test"}, "2");
  later.meta.mutable_recipients(0)->set_next_attempt_unix_ms(to_unix_ms(clock.now() + 30min));
  auto done = make_message("0000000000000000003", "a@sender.test", {"z@remote.test"}, "3");
  done.meta.mutable_recipients(0)->set_status(RECIPIENT_STATUS_DELIVERED);
  std::vector<NewMessage> batch;
  batch.push_back(due_now);
  batch.push_back(later);
  batch.push_back(done);
  ASSERT_TRUE(enqueue_sync(*queue, std::move(batch)).ok());

  make_scheduler();
  EXPECT_EQ(recovered, 2u);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].job.recipients, std::vector<std::string>{"x@remote.test"});
  EXPECT_FALSE(queue->load("0000000000000000003"));  // nothing pending: cleaned up
  advance(30min);
  EXPECT_EQ(attempts.size(), 2u);
  EXPECT_TRUE(queued().empty());
}

TEST_F(SchedulerTest, ConcurrencyCapLimitsJobsInFlight) {
  config.router.delivery_concurrency = 2;
  hold = true;
  make_scheduler();
  for (int i = 0; i < 5; ++i) submit("a@sender.test", {"r" + std::to_string(i) + "@remote.test"});
  EXPECT_EQ(scheduler->in_flight(), 2u);
  EXPECT_EQ(attempts.size(), 2u);
  hold = false;
  release_held();
  EXPECT_EQ(attempts.size(), 5u);
  EXPECT_EQ(max_running, 2);
  EXPECT_TRUE(queued().empty());
}

TEST_F(SchedulerTest, AdminRetryMakesTheMessageDueNow) {
  script = [](const std::string&, const std::string&) { return temporary(); };
  make_scheduler();
  const std::string id = submit("a@sender.test", {"r@remote.test"});
  ASSERT_EQ(attempts.size(), 1u);
  script = [](const std::string&, const std::string&) { return delivered(); };
  bool found = false;
  scheduler->retry_now(id, [&](bool f) { found = f; });
  run();
  EXPECT_TRUE(found);
  EXPECT_EQ(attempts.size(), 2u);
  EXPECT_TRUE(queued().empty());
  bool missing = true;
  scheduler->retry_now("0000000000000000009", [&](bool f) { missing = f; });
  run();
  EXPECT_FALSE(missing);
}

TEST_F(SchedulerTest, AdminDeleteDuringAttemptDiscardsTheOutcome) {
  script = [](const std::string&, const std::string&) { return permanent(); };
  hold = true;
  make_scheduler();
  const std::string id = submit("a@sender.test", {"r@remote.test"});
  ASSERT_EQ(scheduler->in_flight(), 1u);
  bool found = false;
  scheduler->remove(id, [&](bool f) { found = f; });
  run();
  EXPECT_TRUE(found);
  EXPECT_FALSE(queue->load(id));
  release_held();
  EXPECT_TRUE(queued().empty());             // not written back, and no DSN
  EXPECT_EQ(counters.dsn_queued.load(), 0u);
  EXPECT_EQ(scheduler->tracked(), 0u);
}

TEST_F(SchedulerTest, DrainThenCancelLeavesInterruptedAttemptsAsTheyWere) {
  hold = true;
  make_scheduler();
  const std::string id = submit("a@sender.test", {"r@remote.test"});
  ASSERT_EQ(scheduler->in_flight(), 1u);
  bool idle = false;
  scheduler->drain([&] { idle = true; });
  run();
  EXPECT_FALSE(idle);  // a job is still running
  scheduler->cancel_in_flight();
  run();
  EXPECT_TRUE(idle);
  auto record = queue->load(id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->recipients(0).attempts(), 0u);
  EXPECT_EQ(record->recipients(0).status(), RECIPIENT_STATUS_PENDING);
  // Nothing new starts while draining.
  submit("a@sender.test", {"s@remote.test"});
  EXPECT_EQ(attempts.size(), 1u);
}

TEST_F(SchedulerTest, StaleDestinationIsRoutedAgain) {
  auto m = make_message("0000000000000000001", "a@sender.test", {"x@remote.test"}, "1");
  m.meta.mutable_recipients(0)->set_destination("removed-from-config");
  ASSERT_TRUE(enqueue_sync(*queue, one(m)).ok());
  make_scheduler();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].destination, "remote");
  EXPECT_TRUE(queued().empty());
}

}  // namespace
}  // namespace postern::router
