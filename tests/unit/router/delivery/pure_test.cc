// Pure parts of delivery: MX planning, maildir naming, outcome classes, the fair semaphore.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>

#include "router/delivery/fair_semaphore.h"
#include "router/delivery/maildir_name.h"
#include "router/delivery/mx_plan.h"
#include "router/delivery/outcomes.h"

namespace postern::router::delivery {
namespace {

dns::Answer<dns::MxRecord> mx(dns::Status status, std::vector<dns::MxRecord> records = {}) {
  dns::Answer<dns::MxRecord> a;
  a.status = status;
  a.records = std::move(records);
  return a;
}

TEST(MxPlan, SortsByPreferenceAndShufflesEquals) {
  const auto answer = mx(dns::Status::ok, {{20, "c.test"}, {10, "a.test"}, {10, "b.test"}, {5, "first.test"}});
  std::set<std::vector<std::string>> seen;
  for (unsigned seed = 0; seed < 64; ++seed) {
    std::mt19937 rng(seed);
    MxPlan plan = plan_mx(answer, "d.test", rng);
    ASSERT_FALSE(plan.failure);
    ASSERT_EQ(plan.hosts.size(), 4u);
    EXPECT_EQ(plan.hosts.front(), "first.test");
    EXPECT_EQ(plan.hosts.back(), "c.test");
    seen.insert(plan.hosts);
  }
  EXPECT_EQ(seen.size(), 2u);  // both orders of the two preference-10 hosts occur
}

TEST(MxPlan, FailuresAndImplicitMx) {
  std::mt19937 rng(1);
  struct Case {
    dns::Answer<dns::MxRecord> answer;
    int code;
    smtp::EnhancedStatus status;
  } cases[] = {
      {mx(dns::Status::ok, {{0, ""}}), 556, {5, 1, 10}},
      {mx(dns::Status::nxdomain), 550, {5, 1, 2}},
      {mx(dns::Status::temperror), 451, {4, 4, 3}},
      {mx(dns::Status::permerror), 451, {4, 4, 3}},
  };
  for (const auto& c : cases) {
    MxPlan plan = plan_mx(c.answer, "d.test", rng);
    ASSERT_TRUE(plan.failure);
    EXPECT_EQ(plan.failure->code(), c.code);
    EXPECT_EQ(plan.failure->status(), c.status);
    EXPECT_TRUE(plan.hosts.empty());
  }
  MxPlan implicit = plan_mx(mx(dns::Status::nodata), "d.test", rng);
  EXPECT_FALSE(implicit.failure);
  EXPECT_TRUE(implicit.implicit);
  EXPECT_EQ(implicit.hosts, std::vector<std::string>{"d.test"});
  // A null entry next to real MX records is ignored.
  MxPlan mixed = plan_mx(mx(dns::Status::ok, {{0, ""}, {10, "mx.d.test"}}), "d.test", rng);
  EXPECT_EQ(mixed.hosts, std::vector<std::string>{"mx.d.test"});
}

TEST(MaildirName, FolderNames) {
  EXPECT_EQ(maildir_folder_name("User@Example.TEST"), "user@example.test");
  for (const char* bad : {"", ".", "..", "../x@y", "a/b@c", ".hidden@x"})
    EXPECT_EQ(maildir_folder_name(bad), std::nullopt) << bad;
  EXPECT_EQ(maildir_folder_name(std::string("a\0b", 3)), std::nullopt);
  EXPECT_EQ(maildir_folder_name(std::string(256, 'a')), std::nullopt);
}

TEST(MaildirName, UniqueNameAndContent) {
  EXPECT_EQ(maildir_unique_name(1700000000, 42, 123, 7, "host:a/b"),
            "1700000000.M42P123Q7.host\\072a\\057b");
  EXPECT_EQ(maildir_content("s@x.test", "r@y.test", "Subject: t\r\n\r\nbody\r\n"),
            "Return-Path: <s@x.test>\nDelivered-To: r@y.test\nSubject: t\n\nbody\n");
  EXPECT_EQ(maildir_content("", "r@y.test", ""), "Return-Path: <>\nDelivered-To: r@y.test\n");
}

TEST(Outcomes, KindFollowsReplyClass) {
  EXPECT_EQ(outcome_from_reply(smtp::Reply(250, {2, 0, 0}, "ok"), "x").kind, Outcome::Kind::delivered);
  EXPECT_EQ(outcome_from_reply(smtp::Reply(451, {4, 0, 0}, "later"), "x").kind, Outcome::Kind::temporary);
  EXPECT_EQ(outcome_from_reply(smtp::Reply(550, {5, 0, 0}, "no"), "x").kind, Outcome::Kind::permanent);
}

TEST(FairSemaphore, GrantsInRequestOrderWithinLimit) {
  namespace asio = boost::asio;
  asio::io_context io;
  FairSemaphore semaphore(io.get_executor(), 2);
  std::vector<int> order;
  int inside = 0, max_inside = 0;
  for (int i = 0; i < 6; ++i) {
    asio::co_spawn(io, [&, i]() -> asio::awaitable<void> {
      auto permit = co_await semaphore.acquire();
      order.push_back(i);
      max_inside = std::max(max_inside, ++inside);
      asio::steady_timer t(io, std::chrono::milliseconds(1));
      co_await t.async_wait(asio::use_awaitable);  // hold the permit across a suspension
      --inside;
    }, asio::detached);
  }
  io.run();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(max_inside, 2);
  EXPECT_EQ(semaphore.available(), 2u);
}

}  // namespace
}  // namespace postern::router::delivery
