// The edge's way to hand a message to a router. The real one is GrpcSubmitter
// (grpc_submitter.h); tests use a fake.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "edge/submission.h"

namespace postern::edge {

class Submitter {
 public:
  virtual ~Submitter() = default;
  // Completes on the awaiting coroutine's executor. Never throws for network or router
  // failures: they are a SubmitResult with ok == false.
  virtual boost::asio::awaitable<SubmitResult> submit(SubmitRequest request) = 0;
};

}  // namespace postern::edge
