// QueueAdmin over a real in-process gRPC channel: the token check first, then the verbs.
#include "router/queue_admin_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "test_support.h"

namespace postern::router {
namespace {

using namespace testing;

constexpr char kToken[] = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
constexpr char kId[] = "0000000000000000001";

TEST(BearerTokenMatches, Table) {
  EXPECT_TRUE(bearer_token_matches("Bearer secret", "secret"));
  EXPECT_FALSE(bearer_token_matches("Bearer secreT", "secret"));
  EXPECT_FALSE(bearer_token_matches("Bearer secret ", "secret"));
  EXPECT_FALSE(bearer_token_matches("Bearer secre", "secret"));
  EXPECT_FALSE(bearer_token_matches("bearer secret", "secret"));
  EXPECT_FALSE(bearer_token_matches("secret", "secret"));
  EXPECT_FALSE(bearer_token_matches("", "secret"));
  EXPECT_FALSE(bearer_token_matches("Bearer ", ""));  // an empty token never matches
}

class QueueAdminTest : public ::testing::Test, protected RouterCoreFixture {
 protected:
  void SetUp() override {
    auto m = make_message(kId, "alice@sender.test", {"bob@remote.test"}, "Subject: x\r\n\r\nx\r\n");
    m.meta.mutable_client()->set_address("192.0.2.9");
    m.meta.mutable_recipients(0)->set_last_reply("451 4.4.1 Try later");
    m.meta.mutable_recipients(0)->set_attempts(2);
    ASSERT_TRUE(enqueue_sync(*queue, one(m)).ok());
    scheduler.recover();  // not started: nothing is delivered during these tests
    io_thread = std::thread([this] { io.run(); });

    server = serve_on_loopback(service, port);
    ASSERT_TRUE(server);
    stub = postern::v1::QueueAdmin::NewStub(loopback_channel(port));
  }
  void TearDown() override {
    server->Shutdown();
    work.reset();
    io_thread.join();
  }

  static void authorize(grpc::ClientContext& context, const std::string& token = kToken) {
    context.AddMetadata("authorization", "Bearer " + token);
  }
  postern::v1::QueueRef ref(const std::string& id) {
    postern::v1::QueueRef r;
    r.set_queue_id(id);
    return r;
  }

  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  Scheduler scheduler{io.get_executor(), config, *queue, ids, clock, counters,
                      [](const config::Destination&) { return nullptr; }};
  QueueAdminService service{*queue, scheduler, kToken};
  std::thread io_thread;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<postern::v1::QueueAdmin::Stub> stub;
};

TEST_F(QueueAdminTest, MissingOrWrongTokenIsUnauthenticatedForEveryVerb) {
  for (const std::string& token : {std::string(), std::string("wrong"), std::string(kToken) + "x"}) {
    auto context = [&](grpc::ClientContext& c) {
      if (!token.empty()) authorize(c, token);
    };
    {
      grpc::ClientContext c;
      context(c);
      postern::v1::ListQueueReply reply;
      EXPECT_EQ(stub->List(&c, {}, &reply).error_code(), grpc::UNAUTHENTICATED) << token;
      EXPECT_EQ(reply.messages_size(), 0);
    }
    {
      grpc::ClientContext c;
      context(c);
      postern::v1::QueuedMessage reply;
      EXPECT_EQ(stub->Show(&c, ref(kId), &reply).error_code(), grpc::UNAUTHENTICATED);
    }
    {
      grpc::ClientContext c;
      context(c);
      postern::v1::QueueActionReply reply;
      EXPECT_EQ(stub->Retry(&c, ref(kId), &reply).error_code(), grpc::UNAUTHENTICATED);
    }
    {
      grpc::ClientContext c;
      context(c);
      postern::v1::QueueActionReply reply;
      EXPECT_EQ(stub->Delete(&c, ref(kId), &reply).error_code(), grpc::UNAUTHENTICATED);
    }
  }
  EXPECT_TRUE(queue->load(kId));  // the refused delete did nothing
}

TEST_F(QueueAdminTest, ListAndShow) {
  grpc::ClientContext c1;
  authorize(c1);
  postern::v1::ListQueueReply list;
  ASSERT_TRUE(stub->List(&c1, {}, &list).ok());
  ASSERT_EQ(list.messages_size(), 1);
  const auto& m = list.messages(0);
  EXPECT_EQ(m.queue_id(), kId);
  EXPECT_EQ(m.mail_from(), "alice@sender.test");
  EXPECT_EQ(m.received_unix(), 1'700'000'000);
  EXPECT_EQ(m.client_address(), "192.0.2.9");
  ASSERT_EQ(m.recipients_size(), 1);
  EXPECT_EQ(m.recipients(0).state(), postern::v1::RECIPIENT_STATE_PENDING);
  EXPECT_EQ(m.recipients(0).attempts(), 2u);
  EXPECT_EQ(m.recipients(0).last_reply(), "451 4.4.1 Try later");
  EXPECT_EQ(m.recipients(0).destination(), "remote");

  grpc::ClientContext c2;
  authorize(c2);
  postern::v1::QueuedMessage shown;
  ASSERT_TRUE(stub->Show(&c2, ref(kId), &shown).ok());
  EXPECT_EQ(shown.queue_id(), kId);

  grpc::ClientContext c3;
  authorize(c3);
  EXPECT_EQ(stub->Show(&c3, ref("0000000000000000002"), &shown).error_code(), grpc::NOT_FOUND);
  grpc::ClientContext c4;
  authorize(c4);
  EXPECT_EQ(stub->Show(&c4, ref("../etc"), &shown).error_code(), grpc::INVALID_ARGUMENT);
}

TEST_F(QueueAdminTest, RetryAndDelete) {
  grpc::ClientContext c1;
  authorize(c1);
  postern::v1::QueueActionReply retry;
  ASSERT_TRUE(stub->Retry(&c1, ref(kId), &retry).ok());
  EXPECT_TRUE(retry.found());

  grpc::ClientContext c2;
  authorize(c2);
  postern::v1::QueueActionReply deleted;
  ASSERT_TRUE(stub->Delete(&c2, ref(kId), &deleted).ok());
  EXPECT_TRUE(deleted.found());
  EXPECT_FALSE(queue->load(kId));

  grpc::ClientContext c3;
  authorize(c3);
  ASSERT_TRUE(stub->Delete(&c3, ref(kId), &deleted).ok());
  EXPECT_FALSE(deleted.found());
  grpc::ClientContext c4;
  authorize(c4);
  ASSERT_TRUE(stub->Retry(&c4, ref(kId), &retry).ok());
  EXPECT_FALSE(retry.found());
}

}  // namespace
}  // namespace postern::router
