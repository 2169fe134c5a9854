// The edge's way to hand a message to a router. The real one is GrpcSubmitter
// (grpc_submitter.h); tests use a fake.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "edge/submission.h"

namespace postern::edge {

class Submitter {
 public:
  virtual ~Submitter() = default;
  // Completes on the awaiting coroutine's executor. Never throws for network or router
  // failures: they are a SubmitResult with ok == false.
  virtual boost::asio::awaitable<SubmitResult> submit(SubmitRequest request) = 0;
  // Stores DMARC evaluation records of a message refused in the dialogue
  // (Router/RecordDmarc). ok only when a router stored them durably. Best effort for the
  // caller (the client already has its answer); the default stores nothing.
  virtual boost::asio::awaitable<SubmitResult> record_dmarc(std::vector<std::string> evaluations) {
    (void)evaluations;
    co_return SubmitResult{false, {}, "this submitter does not store DMARC records"};
  }
};

}  // namespace postern::edge
