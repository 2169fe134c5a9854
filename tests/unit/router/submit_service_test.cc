// Router/Submit over a real in-process gRPC channel on 127.0.0.1 (port 0), into a real
// RocksDB queue.
#include "router/submit_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <mutex>

#include "test_support.h"

namespace postern::router {
namespace {

using namespace testing;
using postern::v1::queue::RECIPIENT_STATUS_FAILED;
using postern::v1::queue::RECIPIENT_STATUS_PENDING;

class SubmitServiceTest : public ::testing::Test, protected RouterCoreFixture {
 protected:
  void SetUp() override {
    config.edge.limits.max_message_bytes = 100000;
    server = serve_on_loopback(service, port);
    ASSERT_TRUE(server);
    stub = postern::v1::Router::NewStub(loopback_channel(port));
  }
  void TearDown() override { server->Shutdown(); }

  static postern::v1::SubmitChunk header(const std::string& from, const std::vector<std::string>& rcpts,
                                         uint64_t size) {
    postern::v1::SubmitChunk chunk;
    auto* h = chunk.mutable_header();
    h->mutable_envelope()->set_mail_from(from);
    for (const auto& r : rcpts) h->mutable_envelope()->add_recipients()->set_address(r);
    h->mutable_client()->set_address("192.0.2.7");
    h->mutable_client()->set_auth_user("alice");
    h->set_size(size);
    return chunk;
  }
  static postern::v1::SubmitChunk data(const std::string& bytes) {
    postern::v1::SubmitChunk chunk;
    chunk.set_data(bytes);
    return chunk;
  }

  // Sends the chunks and returns the call's status (and the reply in `reply`).
  grpc::Status call(const std::vector<postern::v1::SubmitChunk>& chunks,
                    postern::v1::SubmitReply* reply) {
    grpc::ClientContext context;
    auto writer = stub->Submit(&context, reply);
    for (const auto& c : chunks) {
      if (!writer->Write(c)) break;  // the server already finished the call
    }
    writer->WritesDone();
    return writer->Finish();
  }

  std::vector<std::string> stored_ids() {
    std::lock_guard lock(mu);
    return stored;
  }
  std::size_t queued() { return all_records(*queue).size(); }

  std::mutex mu;
  std::vector<std::string> stored;
  Intake intake{config, *queue, ids, clock, counters, [this](const std::string& id) {
                  std::lock_guard lock(mu);
                  stored.push_back(id);
                }};
  SubmitService service{intake, config, counters};
  int port = 0;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<postern::v1::Router::Stub> stub;
};

TEST_F(SubmitServiceTest, StreamedChunksAreStoredBeforeOk) {
  const std::string body = "Subject: hi\r\n\r\n" + std::string(3000, 'x') + "\r\n";
  postern::v1::SubmitReply reply;
  const auto status = call({header("alice@sender.test", {"bob@remote.test", "carol@remote.test"}, body.size()),
                            data(body.substr(0, 10)), data(body.substr(10, 1000)), data(body.substr(1010))},
                           &reply);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(valid_queue_id(reply.queue_id())) << reply.queue_id();
  // OK means stored: readable right now, and the scheduler was told.
  auto meta = queue->load(reply.queue_id());
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->envelope().mail_from(), "alice@sender.test");
  EXPECT_EQ(meta->envelope().recipients_size(), 0);  // state lives in meta.recipients
  ASSERT_EQ(meta->recipients_size(), 2);
  EXPECT_EQ(meta->recipients(1).address(), "carol@remote.test");
  EXPECT_EQ(meta->recipients(1).destination(), "remote");
  EXPECT_EQ(meta->recipients(1).domain(), "remote.test");
  EXPECT_EQ(meta->recipients(1).status(), RECIPIENT_STATUS_PENDING);
  EXPECT_EQ(meta->client().auth_user(), "alice");
  EXPECT_EQ(meta->received_unix_ms(), kTestEpochMs);
  EXPECT_EQ(meta->size(), body.size());
  EXPECT_EQ(*queue->load_body(reply.queue_id()), body);
  EXPECT_EQ(stored_ids(), std::vector<std::string>{reply.queue_id()});
  EXPECT_EQ(counters.submit_accepted.load(), 1u);
}

TEST_F(SubmitServiceTest, FewerBytesThanDeclaredIsRefusedAndNothingStored) {
  postern::v1::SubmitReply reply;
  const auto status = call({header("a@sender.test", {"b@remote.test"}, 100), data(std::string(50, 'x'))}, &reply);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(queued(), 0u);
  EXPECT_TRUE(stored_ids().empty());
  EXPECT_EQ(counters.submit_refused.load(), 1u);
}

TEST_F(SubmitServiceTest, MoreBytesThanDeclaredIsRefused) {
  postern::v1::SubmitReply reply;
  const auto status = call({header("a@sender.test", {"b@remote.test"}, 10), data(std::string(8, 'x')),
                            data(std::string(8, 'x'))},
                           &reply);
  EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(queued(), 0u);
}

TEST_F(SubmitServiceTest, DeclaredSizeOverTheCapIsRefusedBeforeData) {
  postern::v1::SubmitReply reply;
  const uint64_t too_big = max_submit_bytes(config) + 1;
  const auto status = call({header("a@sender.test", {"b@remote.test"}, too_big)}, &reply);
  EXPECT_EQ(status.error_code(), grpc::RESOURCE_EXHAUSTED);
  EXPECT_EQ(queued(), 0u);
}

TEST_F(SubmitServiceTest, ProtocolErrorsAreRefused) {
  postern::v1::SubmitReply reply;
  EXPECT_EQ(call({data("x")}, &reply).error_code(), grpc::INVALID_ARGUMENT);        // no header first
  EXPECT_EQ(call({}, &reply).error_code(), grpc::INVALID_ARGUMENT);                 // nothing at all
  EXPECT_EQ(call({header("a@sender.test", {"b@remote.test"}, 1), header("a@x", {"b@x"}, 1)}, &reply)
                .error_code(),
            grpc::INVALID_ARGUMENT);                                                // two headers
  EXPECT_EQ(call({header("a@sender.test", {}, 1), data("x")}, &reply).error_code(),
            grpc::INVALID_ARGUMENT);                                                // no recipients
  EXPECT_EQ(call({header("a@sender.test", {"b@remote.test\r\nX: y"}, 1), data("x")}, &reply).error_code(),
            grpc::INVALID_ARGUMENT);                                                // CR/LF in a path
  EXPECT_EQ(queued(), 0u);
}

TEST_F(SubmitServiceTest, UnroutableRecipientFailsWithADsnInTheSameWrite) {
  const std::string body = "Subject: x\r\n\r\nbody\r\n";
  postern::v1::SubmitReply reply;
  const auto status =
      call({header("alice@sender.test", {"bob@remote.test", "who@nowhere.test"}, body.size()), data(body)}, &reply);
  ASSERT_TRUE(status.ok()) << status.error_message();
  auto meta = queue->load(reply.queue_id());
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->recipients(1).status(), RECIPIENT_STATUS_FAILED);
  EXPECT_EQ(meta->recipients(1).dsn_status(), "5.1.2");
  EXPECT_EQ(queued(), 2u);  // the original and its DSN
  const auto ids = stored_ids();
  ASSERT_EQ(ids.size(), 2u);
  auto dsn = queue->load(ids[1]);
  ASSERT_TRUE(dsn);
  EXPECT_TRUE(dsn->is_dsn());
  EXPECT_EQ(dsn->recipients(0).address(), "alice@sender.test");
  EXPECT_NE(queue->load_body(ids[1])->find("Final-Recipient: rfc822; who@nowhere.test"), std::string::npos);
  EXPECT_EQ(counters.unroutable.load(), 1u);
}

TEST_F(SubmitServiceTest, AllUnroutableStoresOnlyTheDsn) {
  const std::string body = "Subject: x\r\n\r\nbody\r\n";
  postern::v1::SubmitReply reply;
  ASSERT_TRUE(call({header("alice@sender.test", {"who@nowhere.test"}, body.size()), data(body)}, &reply).ok());
  EXPECT_FALSE(queue->load(reply.queue_id()));
  EXPECT_EQ(queued(), 1u);
  // And with the null sender nothing is stored at all (no bounce of a bounce).
  ASSERT_TRUE(call({header("", {"who@nowhere.test"}, body.size()), data(body)}, &reply).ok());
  EXPECT_EQ(queued(), 1u);
  EXPECT_EQ(counters.dsn_suppressed.load(), 1u);
}

}  // namespace
}  // namespace postern::router
