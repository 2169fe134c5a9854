// gRPC adapter for postern.v1.Router/Submit and Router/RecordDmarc (callback API): reads the header chunk and the
// data chunks, checks sizes, and hands the message to the Intake. It only translates.
//
// SECURITY: the peer is an edge (trusted envelope, untrusted content). Sizes are checked
// while streaming: a header declaring more than max_submit_bytes() or data beyond the declared
// size ends the call at once, so a peer can never make the router buffer more than the cap.
// Status mapping: OK only after the durable write (Intake's done); INVALID_ARGUMENT for
// protocol or envelope errors and size mismatches; RESOURCE_EXHAUSTED for too large;
// UNAVAILABLE when the queue cannot write. Every non-OK means nothing was stored.
// No gRPC thread ever waits for the fsync: the reactor is finished from the committer.
#pragma once

#include <grpcpp/grpcpp.h>

#include "common/auth/grpc_authorizer.h"
#include "postern/v1/router.grpc.pb.h"
#include "router/forward/forward_intake.h"
#include "router/intake.h"

namespace postern::router {

class SubmitService final : public postern::v1::Router::CallbackService {
 public:
  // The body cap is max_submit_bytes(config).
  SubmitService(Intake& intake, const config::Config& config, Counters& counters)
      : intake_(intake), config_(config), counters_(counters) {}

  grpc::ServerReadReactor<postern::v1::SubmitChunk>* Submit(
      grpc::CallbackServerContext* context, postern::v1::SubmitReply* reply) override;

  // OK after the records are stored synced; INVALID_ARGUMENT over the caps; UNAVAILABLE when
  // the queue cannot write.
  grpc::ServerUnaryReactor* RecordDmarc(grpc::CallbackServerContext* context,
                                        const postern::v1::RecordDmarcRequest* request,
                                        postern::v1::RecordDmarcReply* reply) override;

  // Router/Forward (issue 6): router/forward/forward_service.h. Until enable_forward() was
  // called (before the server starts) every Forward is refused with UNAVAILABLE.
  grpc::ServerReadReactor<postern::v1::ForwardChunk>* Forward(
      grpc::CallbackServerContext* context, postern::v1::ForwardReply* reply) override;
  // `intake` and `callers` (the cluster token or certificates) must outlive the service.
  void enable_forward(forward::ForwardIntake& intake, const auth::CallAuthorizer& callers) {
    forward_ = &intake;
    forward_callers_ = &callers;
  }

 private:
  Intake& intake_;
  const config::Config& config_;
  Counters& counters_;
  forward::ForwardIntake* forward_ = nullptr;
  const auth::CallAuthorizer* forward_callers_ = nullptr;
};

}  // namespace postern::router
