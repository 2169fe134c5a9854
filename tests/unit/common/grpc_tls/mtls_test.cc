// mTLS between roles end to end on 127.0.0.1: a gRPC server with server_credentials() whose
// service authorizes calls with CallAuthorizer (common/auth/grpc_authorizer.h), and clients
// with channel_credentials() / ClusterChannels or with the wrong credentials.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <mutex>

#include "common/auth/grpc_authorizer.h"
#include "common/grpc_tls/channels.h"
#include "common/grpc_tls/credentials.h"
#include "common/grpc_tls/tls_files.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/unit/common/grpc_tls/test_ca.h"

namespace postern::grpc_tls {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using testing::TestCa;

constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

// Health/Check answers SERVING to authorized calls and records the caller's certificate.
class GuardedService final : public Health::CallbackService {
 public:
  explicit GuardedService(auth::CallerRule rule) : auth_("test", "Guarded", std::move(rule)) {}
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context, const HealthCheckRequest*,
                                  HealthCheckResponse* reply) override {
    {
      std::lock_guard lock(mutex);
      last_peer = auth::peer_certificate(*context->auth_context());
    }
    auto* reactor = context->DefaultReactor();
    if (!auth_.authorized(*context)) {
      reactor->Finish(auth::unauthenticated(auth_.rule(), "admin"));
    } else {
      reply->set_status(HealthCheckResponse::SERVING);
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }
  std::mutex mutex;
  auth::PeerCertificate last_peer;

 private:
  auth::CallAuthorizer auth_;
};

// Every node's config names router1 as the cluster's router (cluster.tls.routers).
config::Config node_config(const TestCa& ca, const TestCa::Leaf& leaf,
                           std::vector<std::string> admin_names = {}) {
  config::Config c;
  c.source_file = "postern.yaml";
  c.cluster.tls = ca.cluster_tls(leaf);
  c.cluster.tls->routers = {"router1"};
  c.admin.tls_clients = std::move(admin_names);
  return c;
}

struct Server {
  Server(const config::Config& config, auth::CallerRule rule) : service(std::move(rule)) {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", server_credentials(config), &port);
    b.RegisterService(&service);
    server = b.BuildAndStart();
  }
  ~Server() { server->Shutdown(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
  GuardedService service;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

grpc::Status check(const std::shared_ptr<grpc::Channel>& channel, const std::string& token = "") {
  auto stub = Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (!token.empty()) ctx.AddMetadata("authorization", std::string("Bearer ") + token);
  HealthCheckRequest request;
  HealthCheckResponse reply;
  return stub->Check(&ctx, request, &reply);
}

std::shared_ptr<grpc::Channel> dial(const std::string& address, const config::Config& config) {
  grpc::ChannelArguments args;
  apply_channel_arguments(config, args);
  return grpc::CreateCustomChannel(address, channel_credentials(config), args);
}

class Mtls : public ::testing::Test {
 protected:
  TestCa ca;
  TestCa::Leaf router = ca.issue("router1", {"router1.cluster"});
  TestCa::Leaf admin = ca.issue("ops-laptop", {"ops.admin.test"});
  config::Config router_config = node_config(ca, router, {"OPS.admin.test"});
  config::Config admin_config = node_config(ca, admin);
};

TEST_F(Mtls, AdminCertificateListedIsAllowedWithoutToken) {
  Server server(router_config, auth::admin_callers(router_config, kToken));
  const grpc::Status s = check(dial(server.address(), admin_config));
  EXPECT_TRUE(s.ok()) << s.error_message();
  std::lock_guard lock(server.service.mutex);
  EXPECT_TRUE(server.service.last_peer.verified);
  const auto& names = server.service.last_peer.names;
  EXPECT_NE(std::find(names.begin(), names.end(), "ops-laptop"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "ops.admin.test"), names.end());
}

TEST_F(Mtls, ClusterCertificateNotListedNeedsTheAdminToken) {
  Server server(router_config, auth::admin_callers(router_config, kToken));
  const auto channel = dial(server.address(), router_config);
  const grpc::Status refused = check(channel);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(refused.error_message(),
            "missing or wrong admin token or client certificate listed in admin.tls_clients");
  EXPECT_TRUE(check(channel, kToken).ok());
  EXPECT_EQ(check(channel, "wrong").error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(Mtls, ClusterRuleAcceptsTheRoutersCertificatesOnly) {
  Server server(router_config, auth::cluster_callers(router_config, kToken));
  EXPECT_TRUE(check(dial(server.address(), router_config)).ok());
  const grpc::Status refused = check(dial(server.address(), admin_config));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(refused.error_message().find("client certificate listed in cluster.tls.routers"),
            std::string::npos)
      << refused.error_message();
  EXPECT_TRUE(check(dial(server.address(), admin_config), kToken).ok());
}

TEST_F(Mtls, ClientsWithoutACertificateFromTheCaAreRefusedByTheTransport) {
  Server server(router_config, auth::cluster_callers(router_config, kToken));
  // Plaintext: no TLS at all.
  EXPECT_EQ(check(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()), kToken)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // TLS that trusts the CA but presents no certificate.
  grpc::SslCredentialsOptions no_cert;
  no_cert.pem_root_certs = load_cluster_tls(*router_config.cluster.tls, "x").ca_pem;
  EXPECT_EQ(check(grpc::CreateChannel(server.address(), grpc::SslCredentials(no_cert)), kToken)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // A certificate from another CA (the client trusts ours for the server).
  TestCa other("Other CA");
  auto foreign_tls = other.cluster_tls(other.issue("intruder"));
  const TlsMaterial foreign = load_cluster_tls(foreign_tls, "x");
  grpc::SslCredentialsOptions wrong;
  wrong.pem_root_certs = no_cert.pem_root_certs;
  wrong.pem_cert_chain = foreign.cert_pem;
  wrong.pem_private_key = foreign.key_pem;
  EXPECT_EQ(check(grpc::CreateChannel(server.address(), grpc::SslCredentials(wrong)), kToken)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(Mtls, ServerNameIsCheckedAndOverriddenOnlyByConfig) {
  Server server(router_config, auth::cluster_callers(router_config, kToken));
  const std::string by_name = "localhost:" + std::to_string(server.port);
  // The certificate names 127.0.0.1 and router1.cluster, not localhost.
  EXPECT_EQ(check(dial(by_name, router_config)).error_code(), grpc::StatusCode::UNAVAILABLE);
  auto with_name = router_config;
  with_name.cluster.tls->server_name = "router1.cluster";
  EXPECT_TRUE(check(dial(by_name, with_name)).ok());
  with_name.cluster.tls->server_name = "router2.cluster";
  EXPECT_EQ(check(dial(server.address(), with_name)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(Mtls, ClusterChannelsUseTheConfiguredCredentials) {
  Server server(router_config, auth::cluster_callers(router_config, kToken));
  const ClusterChannels tls(router_config);
  EXPECT_TRUE(tls.tls());
  EXPECT_TRUE(check(tls.channel(server.address())).ok());
  EXPECT_EQ(tls.channel(server.address()), tls.channel(server.address()));  // one per address
  const ClusterChannels plaintext;
  EXPECT_FALSE(plaintext.tls());
  EXPECT_NE(plaintext.channel(server.address()), tls.channel(server.address()));
  EXPECT_EQ(check(plaintext.channel(server.address()), kToken).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace postern::grpc_tls
