// GrpcSubmitter against a real in-process gRPC Router service on 127.0.0.1.
#include "edge/grpc_submitter.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <functional>
#include <mutex>
#include <thread>

#include "postern/v1/router.grpc.pb.h"

namespace postern::edge {
namespace {

class RecordingRouter final : public v1::Router::Service {
 public:
  grpc::Status Submit(grpc::ServerContext*, grpc::ServerReader<v1::SubmitChunk>* reader,
                      v1::SubmitReply* reply) override {
    v1::SubmitChunk chunk;
    v1::SubmitHeader header;
    std::string data;
    int data_chunks = 0;
    bool first = true;
    while (reader->Read(&chunk)) {
      if (first != chunk.has_header())
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "header must come first, once");
      if (first) header = chunk.header();
      else {
        data += chunk.data();
        ++data_chunks;
        if (chunk.data().size() > GrpcSubmitter::kChunkBytes)
          return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "chunk too big");
      }
      first = false;
    }
    std::lock_guard lock(mutex);
    headers.push_back(header);
    messages.push_back(data);
    chunks.push_back(data_chunks);
    if (header.size() != data.size())
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "size mismatch");
    reply->set_queue_id("Q" + std::to_string(messages.size()));
    return grpc::Status::OK;
  }
  std::mutex mutex;
  std::vector<v1::SubmitHeader> headers;
  std::vector<std::string> messages;
  std::vector<int> chunks;
};

struct RouterServer {
  // `with_health`: the standard health service, serving "postern.v1.Router" like a router.
  explicit RouterServer(bool with_health = false) {
    if (with_health) grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    b.RegisterService(&service);
    b.SetMaxReceiveMessageSize(8 << 20);
    server = b.BuildAndStart();
    if (with_health) set_serving(true);
  }
  ~RouterServer() { server->Shutdown(); }
  void set_serving(bool serving) {
    server->GetHealthCheckService()->SetServingStatus("postern.v1.Router", serving);
  }
  std::size_t received() {
    std::lock_guard lock(service.mutex);
    return service.messages.size();
  }
  config::HostPort address() const { return {"127.0.0.1", static_cast<uint16_t>(port)}; }
  RecordingRouter service;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

// A port with nothing listening (bound then released).
uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

SubmitResult run_submit(GrpcSubmitter& s, SubmitRequest req) {
  boost::asio::io_context io;
  auto f = boost::asio::co_spawn(io, s.submit(std::move(req)), boost::asio::use_future);
  io.run();
  return f.get();
}

SubmitRequest request(std::string message) {
  SubmitRequest r;
  r.transaction_id = "T1";
  r.mail_from = "s@remote.test";
  r.recipients = {"a@example.org", "b@example.org"};
  r.smtputf8 = true;
  r.body = smtp::codec::BodyType::eight_bit_mime;
  r.client = ClientFacts{"192.0.2.1", "c.test", "alice@example.org", true, "submission"};
  r.message = std::move(message);
  return r;
}

TEST(GrpcSubmitter, StreamsHeaderThenChunks) {
  RouterServer router;
  GrpcSubmitter s({{"127.0.0.1", static_cast<uint16_t>(router.port)}}, "edge-1",
                  std::chrono::seconds(10));
  std::string big(GrpcSubmitter::kChunkBytes * 2 + 5, 'm');
  SubmitResult r = run_submit(s, request(big));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.queue_id, "Q1");
  std::lock_guard lock(router.service.mutex);
  ASSERT_EQ(router.service.messages.size(), 1u);
  EXPECT_EQ(router.service.messages[0], big);
  EXPECT_EQ(router.service.chunks[0], 3);
  const auto& h = router.service.headers[0];
  EXPECT_EQ(h.envelope().mail_from(), "s@remote.test");
  ASSERT_EQ(h.envelope().recipients_size(), 2);
  EXPECT_EQ(h.envelope().recipients(1).address(), "b@example.org");
  EXPECT_TRUE(h.envelope().smtputf8());
  EXPECT_EQ(h.envelope().body(), v1::BODY_TYPE_8BITMIME);
  EXPECT_EQ(h.client().auth_user(), "alice@example.org");
  EXPECT_EQ(h.client().edge_node(), "edge-1");
  EXPECT_EQ(h.client().listener(), "submission");
  EXPECT_EQ(h.size(), big.size());
}

TEST(GrpcSubmitter, UnreachableRouterIsAFailureNotAnAck) {
  GrpcSubmitter s({{"127.0.0.1", closed_port()}}, "edge-1", std::chrono::seconds(5));
  SubmitResult r = run_submit(s, request("x\r\n"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.queue_id.empty());
  EXPECT_NE(r.error.find("14 "), std::string::npos) << r.error;  // UNAVAILABLE
}

TEST(GrpcSubmitter, FailsOverToTheNextRouter) {
  RouterServer router;
  GrpcSubmitter s({{"127.0.0.1", closed_port()}, {"127.0.0.1", static_cast<uint16_t>(router.port)}},
                  "edge-1", std::chrono::seconds(10));
  for (int i = 0; i < 2; ++i) {  // whichever router the round-robin starts at
    SubmitResult r = run_submit(s, request("x\r\n"));
    EXPECT_TRUE(r.ok) << r.error;
  }
  std::lock_guard lock(router.service.mutex);
  EXPECT_EQ(router.service.messages.size(), 2u);
}

// Health-checked load balancing (issue 6). Checks every 50 ms, so states settle quickly.
constexpr std::chrono::milliseconds kInterval{50};

// Polls `condition` until it holds or 10 s pass.
bool eventually(const std::function<bool()>& condition) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

TEST(GrpcSubmitterHealth, ANotServingRouterGetsNoSubmissions) {
  RouterServer draining(true), healthy(true);
  draining.set_serving(false);
  GrpcSubmitter s({draining.address(), healthy.address()}, "edge-1", std::chrono::seconds(10),
                  kInterval);
  ASSERT_TRUE(eventually([&] {
    return s.router_state(0) == RouterState::not_serving &&
           s.router_state(1) == RouterState::serving;
  }));
  for (int i = 0; i < 10; ++i) {
    SubmitResult r = run_submit(s, request("x\r\n"));
    ASSERT_TRUE(r.ok) << r.error;
  }
  EXPECT_EQ(draining.received(), 0u);
  EXPECT_EQ(healthy.received(), 10u);
}

TEST(GrpcSubmitterHealth, AllRoutersDownIsAnErrorNamingEach) {
  const config::HostPort a{"127.0.0.1", closed_port()}, b{"127.0.0.1", closed_port()};
  GrpcSubmitter s({a, b}, "edge-1", std::chrono::seconds(5), kInterval);
  ASSERT_TRUE(eventually([&] {
    return s.router_state(0) == RouterState::unreachable &&
           s.router_state(1) == RouterState::unreachable;
  }));
  SubmitResult r = run_submit(s, request("x\r\n"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.queue_id.empty());
  EXPECT_NE(r.error.find(a.to_string() + ": 14 "), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(b.to_string() + ": 14 "), std::string::npos) << r.error;
}

TEST(GrpcSubmitterHealth, ARecoveredRouterGetsTrafficAgain) {
  RouterServer first(true), second(true);
  first.set_serving(false);
  GrpcSubmitter s({first.address(), second.address()}, "edge-1", std::chrono::seconds(10),
                  kInterval);
  ASSERT_TRUE(eventually([&] { return s.router_state(0) == RouterState::not_serving; }));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(run_submit(s, request("x\r\n")).ok);
  EXPECT_EQ(first.received(), 0u);
  first.set_serving(true);
  ASSERT_TRUE(eventually([&] { return s.router_state(0) == RouterState::serving; }));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(run_submit(s, request("x\r\n")).ok);
  EXPECT_EQ(first.received() + second.received(), 14u);
  EXPECT_GE(first.received(), 4u);  // round-robin again: about half of the last ten
  EXPECT_GE(second.received(), 8u);
}

TEST(GrpcSubmitterHealth, AFailedCallMarksTheRouterUnreachableAtOnce) {
  auto dying = std::make_unique<RouterServer>(true);
  RouterServer healthy(true);
  // Health checks every 10 minutes: after the first round only calls change the states.
  GrpcSubmitter s({dying->address(), healthy.address()}, "edge-1", std::chrono::seconds(10),
                  std::chrono::minutes(10));
  ASSERT_TRUE(eventually([&] {
    return s.router_state(0) == RouterState::serving && s.router_state(1) == RouterState::serving;
  }));
  dying.reset();  // stops listening
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(run_submit(s, request("x\r\n")).ok);
  EXPECT_EQ(s.router_state(0), RouterState::unreachable);
  EXPECT_EQ(s.router_state(1), RouterState::serving);
  EXPECT_EQ(healthy.received(), 6u);
}

}  // namespace
}  // namespace postern::edge
