#include "edge/edge_node.h"

#include "edge/credential_verifier.h"
#include "edge/greylist_client.h"
#include "edge/grpc_submitter.h"
#include "edge/server.h"

namespace postern::edge {

// Wiring only: the real router client and the directory behind the listeners.
struct EdgeNode::Impl {
  explicit Impl(const config::Config& c)
      : config(c),
        channels(config),
        submitter(config.cluster.routers.empty()
                      ? std::vector<config::HostPort>{config.router.listen}
                      : config.cluster.routers,
                  config.node.name, std::chrono::seconds(60),
                  config.cluster.health_check_interval, channels),
        verifier(config.directory),
        greylist(config.cluster.routers.empty()
                     ? std::vector<config::HostPort>{config.router.listen}
                     : config.cluster.routers,
                 std::chrono::seconds(2), channels),
        server(config, submitter, verifier, 2, &greylist) {}

  config::Config config;  // owned copy: sessions refer to it for their whole life
  grpc_tls::ClusterChannels channels;  // cluster.tls; throws ConfigError for a bad file
  GrpcSubmitter submitter;
  DirectoryVerifier verifier;
  GrpcGreylistClient greylist;
  EdgeServer server;
};

EdgeNode::EdgeNode(const config::Config& config) : impl_(std::make_unique<Impl>(config)) {}

EdgeNode::~EdgeNode() = default;

void EdgeNode::start() { impl_->server.start(); }

void EdgeNode::reload(const config::Config& config) { impl_->server.reload(config); }

void EdgeNode::shutdown(std::chrono::steady_clock::time_point deadline) {
  impl_->server.shutdown(deadline);
}

}  // namespace postern::edge
