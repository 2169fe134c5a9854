// The real Submitter: gRPC client streaming postern.v1.Router/Submit to cluster.routers.
//
// Contract: ok only when the router returned status OK (its durable ack). The first chunk is
// the header (envelope, client facts, size), then the message in data chunks of at most
// 1 MiB. Routers are tried in turn (starting round-robin) while they are UNAVAILABLE; any
// other failure is final for this attempt (the client gets 451 and retries later). Each call
// has a deadline (default 60 s). gRPC's callback API (ClientWriteReactor) is bridged to Asio:
// the completion is posted to the awaiting coroutine's executor.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "edge/submitter.h"

namespace postern::v1 {
class Router;
}  // namespace postern::v1

namespace postern::edge {

class GrpcSubmitter : public Submitter {
 public:
  GrpcSubmitter(const std::vector<config::HostPort>& routers, std::string edge_node,
                std::chrono::milliseconds deadline = std::chrono::seconds(60));
  ~GrpcSubmitter() override;

  boost::asio::awaitable<SubmitResult> submit(SubmitRequest request) override;
  // Router/RecordDmarc, with the same failover rule as submit().
  boost::asio::awaitable<SubmitResult> record_dmarc(std::vector<std::string> evaluations) override;

  static constexpr std::size_t kChunkBytes = 1 << 20;

 private:
  struct Target;
  std::vector<std::unique_ptr<Target>> targets_;
  std::string edge_node_;
  std::chrono::milliseconds deadline_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace postern::edge
