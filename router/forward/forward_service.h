// The gRPC adapter of Router/Forward on the gateway (issue 6): SubmitService::Forward
// (router/submit_service.h) returns the reactor made here. It only translates.
//
// SECURITY: the peer must present "authorization: Bearer <cluster token>" (constant-time
// check) or, with cluster.tls, a verified router certificate (cluster.tls.routers; auth::cluster_callers,
// common/auth/grpc_authorizer.h); anything else is refused with UNAUTHENTICATED before a
// byte of the stream is read. The token is never logged. A trusted peer still sends untrusted
// content: the header is validated (forward_record.h) before the body is read, and sizes are
// checked while streaming (never more than max_submit_bytes() buffered).
// Status mapping: OK only after the durable write (or for a duplicate: the stored id);
// INVALID_ARGUMENT protocol/header errors; RESOURCE_EXHAUSTED too large; FAILED_PRECONDITION
// this node does not serve a recipient's destination; ABORTED the same message is being
// stored by another call; UNAVAILABLE the queue cannot write or Forward is not set up here.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "common/auth/grpc_authorizer.h"
#include "postern/v1/router.grpc.pb.h"
#include "router/forward/forward_intake.h"

namespace postern::router::forward {

// `intake` or `callers` nullptr: this router takes no Forward (UNAVAILABLE).
grpc::ServerReadReactor<postern::v1::ForwardChunk>* make_forward_reactor(
    ForwardIntake* intake, const auth::CallAuthorizer* callers, Counters& counters,
    grpc::CallbackServerContext* context, postern::v1::ForwardReply* reply);

}  // namespace postern::router::forward
