// Forwarding to the designated gateway (issue 6): the Deliverer the scheduler gets for a
// destination whose served_by does not name this node. A "delivery" here is one
// Router/Forward call that hands the job's recipients to a gateway router.
//
// Contract (delivery.h): one Outcome per recipient, never throws for remote trouble.
//  - The gateways are tried in served_by order (gateway_choice.h); any non-OK answer
//    (UNAVAILABLE, DEADLINE_EXCEEDED, FAILED_PRECONDITION, ...) moves on to the next one.
//  - OK (the gateway stored the message with its WAL synced) -> every recipient `delivered`
//    with "250 2.0.0 forwarded to NODE as GATEWAY-ID" and remote "NODE (host:port)"; the
//    scheduler then marks them done and removes the copy once nothing is pending. That is
//    the only way a copy goes: a lost ack means the recipients are forwarded again later,
//    and the gateway answers that with the id it stored (forward_intake.h).
//  - All gateways failing -> every recipient `temporary` with "451 4.4.1 forward to NODE
//    (host:port): unavailable: ...; forward to ..." (one part per gateway tried): the
//    recipients wait for the next attempt of router.retry.schedule, retry.max_age still
//    bounces them from this router, and `posternctl queue show` prints that reason.
//  - Hop guard: a message that was itself forwarded here is never forwarded again (temporary
//    outcome naming the misconfiguration; gateways refuse such messages up front).
//  - The message is sent without the stored DKIM-Signature fields, which travel in the
//    header (the scheduler signed before this first outbound hop; the gateway never re-signs).
//  - One Forward at a time per job; each attempt has its own deadline (default 60 s) and is
//    cancelled (TryCancel) when the scheduler cancels the job at shutdown.
//
// SECURITY: every call carries "authorization: Bearer <cluster token>"; the token never
// appears in errors or logs. Channels come from grpc_tls::ClusterChannels: mTLS with this
// node's certificate when cluster.tls is set, else plaintext; the gateway's Forward then also
// accepts a certificate named in cluster.tls.routers instead of the token.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "router/counters.h"
#include "router/delivery.h"
#include "router/forward/gateway_choice.h"

namespace postern::router::forward {

class ForwardDeliverer final : public Deliverer {
 public:
  // `config` and `counters` must outlive the deliverer.
  ForwardDeliverer(const config::Config& config, const config::Destination& destination,
                   std::string cluster_token, Counters& counters,
                   std::chrono::milliseconds deadline = std::chrono::seconds(60));
  ~ForwardDeliverer() override;

  boost::asio::awaitable<std::vector<Outcome>> deliver(const DeliveryJob& job) override;

 private:
  struct Target;
  const config::Config& config_;
  std::string destination_;
  std::string token_;
  Counters& counters_;
  std::chrono::milliseconds deadline_;
  std::vector<std::unique_ptr<Target>> targets_;
};

}  // namespace postern::router::forward
