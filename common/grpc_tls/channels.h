// The channels role clients (edge -> router, router -> keystore, router -> router) dial
// through: cluster.tls credentials and arguments, one channel per (address, settings) for the
// whole process.
//
// Contract:
//  - ClusterChannels() is plaintext; ClusterChannels(config) takes cluster.tls (credentials.h),
//    reading and checking its files once (throws config::ConfigError).
//  - channel(address) returns the process-lifetime channel to `address` with these settings,
//    creating it on first use. Channels are never destroyed. Why: with gRPC 1.51 (Debian 12)
//    the callback API runs on a shared completion queue that is torn down with the last
//    channel using it, possibly while a reactor's OnDone is still unwinding on its thread
//    (an abort in grpc_cq_internal_unref); and one channel per peer is what gRPC recommends.
//  - Every channel reconnects with a short backoff (by default 0.5 s, at most 5 s; a client
//    that must notice a returning peer sooner passes its own Reconnect), so a peer that comes
//    back is used again within seconds, not gRPC's default 2 minutes.
//  - Thread-safe; copies share the credentials.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/config/config.h"

namespace postern::grpc_tls {

// Reconnect backoff of a channel: the first retry after `min`, growing to at most `max`.
struct Reconnect {
  std::chrono::milliseconds min{500};
  std::chrono::milliseconds max{5000};
};

class ClusterChannels {
 public:
  ClusterChannels();
  explicit ClusterChannels(const config::Config& config, Reconnect reconnect = {});

  std::shared_ptr<grpc::Channel> channel(const std::string& address) const;
  bool tls() const { return tls_; }

 private:
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::string server_name_;  // cluster.tls.server_name ("" = none)
  Reconnect reconnect_;
  std::string settings_;     // what distinguishes these settings' channels in the cache
  bool tls_ = false;
};

}  // namespace postern::grpc_tls
