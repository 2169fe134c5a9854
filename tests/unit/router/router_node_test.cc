// RouterNode wiring, in process: gRPC server on a loopback port, the RocksDB queue under a
// temp data dir, the admin token file, the scheduler thread, drain on shutdown, and recovery
// by a second node on the same data dir. The deliverer is a fake: this file defines
// make_deliverer (router/delivery.h) itself, so the test does not link postern_delivery.
#include "router/router_node.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <condition_variable>
#include <fstream>
#include <mutex>

#include "postern/v1/queue_admin.grpc.pb.h"
#include "postern/v1/router.grpc.pb.h"
#include "router/delivery.h"
#include "router/rocksdb_queue.h"
#include "test_support.h"

namespace postern::router {

// What the fake deliverers saw, and what they answer. Shared with the node's delivery thread.
struct FakeMx {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<DeliveryJob> jobs;
  Outcome::Kind answer = Outcome::Kind::delivered;

  bool wait_for_jobs(std::size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(20), [&] { return jobs.size() >= n; });
  }
};
FakeMx g_mx;

namespace {
class FakeDeliverer : public Deliverer {
 public:
  boost::asio::awaitable<std::vector<Outcome>> deliver(const DeliveryJob& job) override {
    std::lock_guard lock(g_mx.mu);
    g_mx.jobs.push_back(job);
    g_mx.cv.notify_all();
    Outcome o;
    o.kind = g_mx.answer;
    o.reply = g_mx.answer == Outcome::Kind::delivered ? smtp::Reply(250, {2, 0, 0}, "Ok")
                                                      : smtp::Reply(451, {4, 4, 1}, "Later");
    co_return std::vector<Outcome>(job.recipients.size(), o);
  }
};
}  // namespace

std::unique_ptr<Deliverer> make_deliverer(const config::Destination&, const DeliveryContext& context) {
  EXPECT_NE(context.resolver, nullptr);
  EXPECT_NE(context.config, nullptr);
  return std::make_unique<FakeDeliverer>();
}

namespace {

using namespace testing;

// A loopback port that is free right now (bound and released).
uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class RouterNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::lock_guard lock(g_mx.mu);
    g_mx.jobs.clear();
    g_mx.answer = Outcome::Kind::delivered;
    config.node.data_dir = dir.str();
    config.admin.token_file = dir.str() + "/admin.token";
    config.router.listen = {"127.0.0.1", free_port()};
  }

  std::shared_ptr<grpc::Channel> channel() {
    return grpc::CreateChannel(config.router.listen.to_string(), grpc::InsecureChannelCredentials());
  }

  grpc::Status submit(const std::string& rcpt, std::string* queue_id) {
    const std::string body = "Subject: node test\r\n\r\nhello\r\n";
    auto stub = postern::v1::Router::NewStub(channel());
    grpc::ClientContext context;
    postern::v1::SubmitReply reply;
    auto writer = stub->Submit(&context, &reply);
    postern::v1::SubmitChunk header;
    header.mutable_header()->mutable_envelope()->set_mail_from("alice@sender.test");
    header.mutable_header()->mutable_envelope()->add_recipients()->set_address(rcpt);
    header.mutable_header()->set_size(body.size());
    writer->Write(header);
    postern::v1::SubmitChunk data;
    data.set_data(body);
    writer->Write(data);
    writer->WritesDone();
    auto status = writer->Finish();
    *queue_id = reply.queue_id();
    return status;
  }

  std::string token() {
    std::ifstream in(config.admin.token_file);
    std::string t;
    in >> t;
    return t;
  }

  void shutdown(RouterNode& node) {
    node.shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  }

  TempDir dir;
  config::Config config = test_config();
};

TEST_F(RouterNodeTest, SubmitIsDeliveredAndRemoved) {
  RouterNode node(config);
  node.start();
  std::string id;
  const auto status = submit("bob@remote.test", &id);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(g_mx.wait_for_jobs(1));
  {
    std::lock_guard lock(g_mx.mu);
    EXPECT_EQ(g_mx.jobs[0].queue_id, id);
    EXPECT_EQ(g_mx.jobs[0].recipients, std::vector<std::string>{"bob@remote.test"});
  }
  shutdown(node);  // drains: the outcome is recorded before shutdown returns
  auto queue = RocksDbQueue::open(dir.str() + "/queue");
  EXPECT_FALSE(queue->load(id));
  EXPECT_EQ(token().size(), 64u);  // created by the node on first start
}

TEST_F(RouterNodeTest, PendingMailSurvivesRestartAndAdminRetryNeedsTheToken) {
  g_mx.answer = Outcome::Kind::temporary;
  std::string id;
  {
    RouterNode node(config);
    node.start();
    ASSERT_TRUE(submit("bob@remote.test", &id).ok());
    ASSERT_TRUE(g_mx.wait_for_jobs(1));
    shutdown(node);
  }
  {
    auto queue = RocksDbQueue::open(dir.str() + "/queue");
    auto record = queue->load(id);
    ASSERT_TRUE(record);
    EXPECT_EQ(record->recipients(0).attempts(), 1u);
  }
  {
    std::lock_guard lock(g_mx.mu);
    g_mx.answer = Outcome::Kind::delivered;
  }
  RouterNode node(config);  // recovers the message; due in 5 minutes
  node.start();
  auto admin = postern::v1::QueueAdmin::NewStub(channel());
  postern::v1::QueueRef ref;
  ref.set_queue_id(id);
  postern::v1::QueueActionReply reply;
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer not-the-token");
    EXPECT_EQ(admin->Retry(&context, ref, &reply).error_code(), grpc::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token());
    ASSERT_TRUE(admin->Retry(&context, ref, &reply).ok());
    EXPECT_TRUE(reply.found());
  }
  ASSERT_TRUE(g_mx.wait_for_jobs(2));
  shutdown(node);
  auto queue = RocksDbQueue::open(dir.str() + "/queue");
  EXPECT_FALSE(queue->load(id));
}

TEST_F(RouterNodeTest, StartFailsWhenTheAddressIsTaken) {
  RouterNode first(config);
  first.start();
  config.node.data_dir = dir.str() + "/second";
  RouterNode second(config);
  EXPECT_THROW(second.start(), std::runtime_error);
  shutdown(second);
  shutdown(first);
}

}  // namespace
}  // namespace postern::router
