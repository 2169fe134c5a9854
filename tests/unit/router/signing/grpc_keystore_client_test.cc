// GrpcKeystoreClient against an in-process postern.v1.Keystore service on loopback: the
// cluster token travels as "authorization: Bearer ...", endpoints are tried in order with
// failover only when one cannot be reached, other errors are final, and every error names
// the keystore. (The integration tests run it against the real `postern keystore`.)
#include "router/signing/grpc_keystore_client.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
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

  grpc::Status Sign(grpc::ServerContext* context, const v1::SignRequest* request,
                    v1::SignReply* reply) override {
    ++calls;
    auto it = context->client_metadata().find("authorization");
    if (it != context->client_metadata().end()) {
      last_authorization.assign(it->second.data(), it->second.size());
    }
    if (answer != grpc::StatusCode::OK) return grpc::Status(answer, "no key example.test/s1");
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
