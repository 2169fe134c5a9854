// GrpcKeystoreClient against an in-process postern.v1.Keystore service on loopback: the
// cluster token travels as "authorization: Bearer ...", endpoints are tried in order with
// failover only when one cannot be reached, other errors are final, and every error names
// the keystore. Coalescing: concurrent calls share Sign requests, each caller gets its own
// signatures, and a message with a bad key fails alone. (The integration tests run it
// against the real `postern keystore`.)
#include "router/signing/grpc_keystore_client.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <boost/asio/ip/tcp.hpp>

#include "postern/v1/keystore.grpc.pb.h"
#include "tests/unit/common/dns/run_awaitable.h"
#include "tests/unit/router/test_support.h"

namespace postern::router::signing {
namespace {

class FakeKeystoreService final : public v1::Keystore::Service {
 public:
  std::atomic<int> calls{0};
  std::string last_authorization;
  grpc::StatusCode answer = grpc::StatusCode::OK;

  // Like the real keystore: selector "bad" has no key; the failing index goes in the trailer.
  bool name_failed_digest = true;
  std::atomic<int> largest_request{0};

  // While held, Sign calls wait (so that later calls queue up in the client behind them).
  void hold() {
    std::lock_guard lock(gate_mu_);
    held_ = true;
  }
  void release() {
    {
      std::lock_guard lock(gate_mu_);
      held_ = false;
    }
    gate_cv_.notify_all();
  }

  grpc::Status Sign(grpc::ServerContext* context, const v1::SignRequest* request,
                    v1::SignReply* reply) override {
    ++calls;
    {
      std::unique_lock lock(gate_mu_);
      gate_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return !held_; });
    }
    largest_request = std::max(largest_request.load(), request->digests_size());
    auto it = context->client_metadata().find("authorization");
    if (it != context->client_metadata().end()) {
      last_authorization.assign(it->second.data(), it->second.size());
    }
    if (answer != grpc::StatusCode::OK) return grpc::Status(answer, "no key example.test/s1");
    for (int i = 0; i < request->digests_size(); ++i) {
      if (request->digests(i).selector() == "bad") {
        if (name_failed_digest) context->AddTrailingMetadata(kFailedDigestTrailer, std::to_string(i));
        return grpc::Status(grpc::StatusCode::NOT_FOUND, "no key example.test/bad");
      }
    }
    for (const auto& d : request->digests()) {
      auto* s = reply->add_signatures();
      s->set_algorithm("ed25519-sha256");
      s->set_signature("sig:" + d.selector() + ":" + std::to_string(d.digest().size()));
    }
    return grpc::Status::OK;
  }

  grpc::Status GetSecret(grpc::ServerContext*, const v1::SecretRef* request,
                         v1::Secret* reply) override {
    ++calls;
    if (answer != grpc::StatusCode::OK) return grpc::Status(answer, "no secret");
    reply->set_name(request->name());
    reply->set_username("relayuser");
    reply->set_value("pw");
    return grpc::Status::OK;
  }

 private:
  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  bool held_ = false;
};

config::HostPort loopback(int port) { return config::HostPort{"127.0.0.1", static_cast<uint16_t>(port)}; }

int closed_port() {
  // A port that was free a moment ago and that nobody listens on.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return probe.local_endpoint().port();
}

class GrpcKeystoreClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = router::testing::serve_on_loopback(service_, port_);
    ASSERT_TRUE(server_);
  }

  std::vector<DigestToSign> two_digests() {
    return {DigestToSign{"example.test", "s1", std::string(32, 'a')},
            DigestToSign{"example.test", "s2", std::string(32, 'b')}};
  }

  boost::asio::io_context io_;
  FakeKeystoreService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(GrpcKeystoreClientTest, SignsABatchWithTheClusterToken) {
  GrpcKeystoreClient client({loopback(port_)}, "cluster-token-0123456789abcdef0123456789");
  const SignResult r = postern::testing::run_awaitable(io_, client.sign(two_digests()));
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.signatures.size(), 2u);
  EXPECT_EQ(r.signatures[0].signature, "sig:s1:32");
  EXPECT_EQ(r.signatures[1].signature, "sig:s2:32");
  EXPECT_EQ(r.signatures[1].algorithm, "ed25519-sha256");
  EXPECT_EQ(service_.calls.load(), 1);
  EXPECT_EQ(service_.last_authorization, "Bearer cluster-token-0123456789abcdef0123456789");

  const SecretResult s = postern::testing::run_awaitable(io_, client.get_secret("relay-delta"));
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(s.username, "relayuser");
  EXPECT_EQ(s.value, "pw");
}

TEST_F(GrpcKeystoreClientTest, UnreachableKeystoreFailsOverToTheNext) {
  const int dead = closed_port();
  GrpcKeystoreClient client({loopback(dead), loopback(port_)}, "t");
  const SignResult r = postern::testing::run_awaitable(io_, client.sign(two_digests()));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(service_.calls.load(), 1);
}

TEST_F(GrpcKeystoreClientTest, AllUnreachableNamesEachKeystore) {
  const int dead = closed_port();
  GrpcKeystoreClient client({loopback(dead)}, "t");
  const SignResult r = postern::testing::run_awaitable(io_, client.sign(two_digests()));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "keystore 127.0.0.1:" + std::to_string(dead) + " unavailable");
  const SecretResult s = postern::testing::run_awaitable(io_, client.get_secret("x"));
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.error, "keystore 127.0.0.1:" + std::to_string(dead) + " unavailable");
}

TEST_F(GrpcKeystoreClientTest, AnAnswerOtherThanUnavailableIsFinal) {
  service_.answer = grpc::StatusCode::NOT_FOUND;
  FakeKeystoreService second;
  int second_port = 0;
  auto second_server = router::testing::serve_on_loopback(second, second_port);
  ASSERT_TRUE(second_server);
  GrpcKeystoreClient client({loopback(port_), loopback(second_port)}, "t");
  const SignResult r = postern::testing::run_awaitable(io_, client.sign(two_digests()));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "keystore 127.0.0.1:" + std::to_string(port_) +
                         ": NOT_FOUND no key example.test/s1");
  EXPECT_EQ(second.calls.load(), 0);  // NOT_FOUND would be the same elsewhere
}

// One "message" asking for its signatures (a coroutine with its values as parameters).
boost::asio::awaitable<void> sign_message(KeystoreClient& client, std::vector<DigestToSign> digests,
                                          SignResult& out, int& finished) {
  out = co_await client.sign(std::move(digests));
  ++finished;
}

std::vector<DigestToSign> message(const std::string& a, const std::string& b) {
  return {DigestToSign{"example.test", a, std::string(32, 'a')},
          DigestToSign{"example.test", b, std::string(32, 'b')}};
}

// Starts one message, then `rest` while the first is held at the keystore, then lets the
// keystore answer and runs until every message has its result.
std::vector<SignResult> sign_concurrently(boost::asio::io_context& io, FakeKeystoreService& ks,
                                          KeystoreClient& client,
                                          std::vector<std::vector<DigestToSign>> messages) {
  std::vector<SignResult> results(messages.size());
  int finished = 0;
  ks.hold();
  io.restart();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    boost::asio::co_spawn(io, sign_message(client, std::move(messages[i]), results[i], finished),
                          boost::asio::detached);
  }
  io.poll();  // every coroutine has called sign(): the first is sent, the others wait
  ks.release();
  io.run_for(std::chrono::seconds(20));
  EXPECT_EQ(finished, static_cast<int>(results.size()));
  return results;
}

TEST_F(GrpcKeystoreClientTest, ConcurrentMessagesShareRequests) {
  GrpcKeystoreClient client({loopback(port_)}, "t", std::chrono::seconds(5), 1);
  std::vector<std::vector<DigestToSign>> messages;
  for (int i = 0; i < 10; ++i) {
    messages.push_back(message("m" + std::to_string(i) + "a", "m" + std::to_string(i) + "b"));
  }
  const auto results = sign_concurrently(io_, service_, client, messages);
  for (int i = 0; i < 10; ++i) {
    const SignResult& r = results[static_cast<std::size_t>(i)];
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.signatures.size(), 2u);
    EXPECT_EQ(r.signatures[0].signature, "sig:m" + std::to_string(i) + "a:32");
    EXPECT_EQ(r.signatures[1].signature, "sig:m" + std::to_string(i) + "b:32");
  }
  // The first alone (nothing else was waiting), the 9 that queued behind it in one request.
  EXPECT_EQ(service_.calls.load(), 2);
  EXPECT_EQ(service_.largest_request.load(), 18);
  EXPECT_EQ(client.sign_requests_sent(), 2u);
}

TEST_F(GrpcKeystoreClientTest, ARequestHoldsAtMost64DigestsAndNeverSplitsAMessage) {
  GrpcKeystoreClient client({loopback(port_)}, "t", std::chrono::seconds(5), 1);
  std::vector<std::vector<DigestToSign>> messages;
  for (int i = 0; i < 41; ++i) messages.push_back(message("x", "y"));  // 1 + 40 x 2 digests
  const auto results = sign_concurrently(io_, service_, client, messages);
  for (const auto& r : results) EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(service_.calls.load(), 3);  // 1, then 32 messages (64 digests), then 8
  EXPECT_EQ(service_.largest_request.load(), 64);
}

TEST_F(GrpcKeystoreClientTest, OneBadKeyFailsOnlyItsMessage) {
  GrpcKeystoreClient client({loopback(port_)}, "t", std::chrono::seconds(5), 1);
  const auto results = sign_concurrently(
      io_, service_, client,
      {message("f1", "f2"), message("a1", "a2"), message("b1", "b2"), message("ok", "bad"),
       message("c1", "c2"), message("d1", "d2")});
  for (std::size_t i : {0u, 1u, 2u, 4u, 5u}) {
    ASSERT_TRUE(results[i].ok) << i << ": " << results[i].error;
    ASSERT_EQ(results[i].signatures.size(), 2u);
  }
  EXPECT_EQ(results[4].signatures[1].signature, "sig:c2:32");
  EXPECT_FALSE(results[3].ok);
  // Exactly the error it would have had alone.
  EXPECT_EQ(results[3].error,
            "keystore 127.0.0.1:" + std::to_string(port_) + ": NOT_FOUND no key example.test/bad");
  // The first; the shared request that failed; the bad message alone; the other four again.
  EXPECT_EQ(service_.calls.load(), 4);
}

TEST_F(GrpcKeystoreClientTest, WithoutTheFailedIndexEveryMemberIsRetriedAlone) {
  service_.name_failed_digest = false;  // a keystore that does not name the failing digest
  GrpcKeystoreClient client({loopback(port_)}, "t", std::chrono::seconds(5), 1);
  const auto results = sign_concurrently(
      io_, service_, client,
      {message("f1", "f2"), message("a1", "a2"), message("ok", "bad"), message("c1", "c2")});
  EXPECT_TRUE(results[0].ok);
  EXPECT_TRUE(results[1].ok) << results[1].error;
  EXPECT_FALSE(results[2].ok);
  EXPECT_TRUE(results[3].ok) << results[3].error;
  EXPECT_EQ(service_.calls.load(), 1 + 1 + 3);
}

TEST_F(GrpcKeystoreClientTest, AFailureCommonToAllFailsEveryMemberWithoutRetries) {
  // The first request is held at the keystore until the other four messages have queued
  // behind it (io_.poll() runs every sign() up to its submission), so they share the second
  // request whatever the machine's scheduling; then the keystore answers UNAVAILABLE to both.
  service_.answer = grpc::StatusCode::UNAVAILABLE;
  service_.hold();
  GrpcKeystoreClient client({loopback(port_)}, "t", std::chrono::seconds(5), 1);
  std::vector<SignResult> results(5);
  int finished = 0;
  io_.restart();
  for (auto& r : results) {
    boost::asio::co_spawn(io_, sign_message(client, message("a", "b"), r, finished),
                          boost::asio::detached);
  }
  io_.poll();
  EXPECT_EQ(client.sign_requests_sent(), 1u);
  service_.release();
  io_.run_for(std::chrono::seconds(20));
  ASSERT_EQ(finished, 5);
  for (const auto& r : results) {
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "keystore 127.0.0.1:" + std::to_string(port_) +
                           " unavailable");
  }
  EXPECT_EQ(client.sign_requests_sent(), 2u);  // the first alone, the four others together
  EXPECT_EQ(service_.calls.load(), 2);
}

TEST(MakeKeystoreClient, OnlyWhenSigningOrRelayCredentialsNeedIt) {
  router::testing::TempDir dir;
  config::Config c = router::testing::test_config();
  c.node.data_dir = dir.str();
  c.cluster.token_file = dir.str() + "/cluster.token";
  c.cluster.keystores = {loopback(7002)};
  EXPECT_EQ(make_keystore_client(c), nullptr);
  c.router.dkim.signing = true;
  EXPECT_NE(make_keystore_client(c), nullptr);
}

}  // namespace
}  // namespace postern::router::signing
