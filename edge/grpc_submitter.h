// The real Submitter: gRPC client streaming postern.v1.Router/Submit to cluster.routers.
//
// Contract: ok only when the router returned status OK (its durable ack). The first chunk is
// the header (envelope, client facts, size), then the message in data chunks of at most
// 1 MiB. Routers are tried in turn while they are UNAVAILABLE; any other failure is final
// for this attempt (the client gets 451 and retries later): a router that answered anything
// else may have stored the message, and sending it elsewhere too would duplicate it. Each
// call has a deadline (default 60 s). gRPC's callback API (ClientWriteReactor) is bridged to
// Asio: the completion is posted to the awaiting coroutine's executor.
//
// Load balancing (issue 6): which router comes first is round-robin over the routers that
// are healthy or not yet known (router_health.h); routers that are NOT_SERVING (draining) or
// unreachable are tried only after those. Health comes from an active grpc.health.v1 check of
// every router each `health_check_interval` (health_watch.h, cluster.health_check_interval)
// and from the submissions themselves (UNAVAILABLE marks a router unreachable at once, OK
// marks it serving). Every change of a router's state is logged ("edge" logger).
//
// Channels come from `channels` (grpc_tls/channels.h): mTLS with this node's certificate
// when cluster.tls is set, process-lifetime, shared with the greylist client.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/grpc_tls/channels.h"
#include "edge/router_health.h"
#include "edge/submitter.h"

namespace postern::v1 {
class Router;
}  // namespace postern::v1

namespace postern::edge {

class HealthWatch;

class GrpcSubmitter : public Submitter {
 public:
  GrpcSubmitter(const std::vector<config::HostPort>& routers, std::string edge_node,
                std::chrono::milliseconds deadline = std::chrono::seconds(60),
                std::chrono::milliseconds health_check_interval = std::chrono::seconds(2),
                const grpc_tls::ClusterChannels& channels = grpc_tls::ClusterChannels());
  ~GrpcSubmitter() override;

  boost::asio::awaitable<SubmitResult> submit(SubmitRequest request) override;
  // Router/RecordDmarc, with the same failover rule as submit().
  boost::asio::awaitable<SubmitResult> record_dmarc(std::vector<std::string> evaluations) override;

  static constexpr std::size_t kChunkBytes = 1 << 20;

  // The router's current state as this edge sees it (index into `routers`). Thread-safe.
  RouterState router_state(std::size_t index) const;

 private:
  struct Target;
  struct Health;
  // The routers to try for one call, best first.
  std::vector<std::size_t> plan();
  // Records what a call to `index` showed (OK -> serving, UNAVAILABLE -> unreachable).
  void observed(std::size_t index, int grpc_code);

  std::vector<std::unique_ptr<Target>> targets_;
  std::string edge_node_;
  std::chrono::milliseconds deadline_;
  std::atomic<std::size_t> next_{0};
  std::shared_ptr<Health> health_;
  std::unique_ptr<HealthWatch> watch_;  // last: stopped first, while health_ still exists
};

}  // namespace postern::edge
