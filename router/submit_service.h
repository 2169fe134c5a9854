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

#include "postern/v1/router.grpc.pb.h"
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

 private:
  Intake& intake_;
  const config::Config& config_;
  Counters& counters_;
};

}  // namespace postern::router
