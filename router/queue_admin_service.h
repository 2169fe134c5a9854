// gRPC adapter for postern.v1.QueueAdmin (posternctl queue list|show|retry|delete).
//
// SECURITY: every call must carry metadata "authorization: Bearer <admin token>" or come over
// a connection with a verified client certificate named in admin.tls_clients (cluster.tls;
// common/auth/authorization.h); anything else is refused with UNAUTHENTICATED before any
// queue access. The token is compared in constant time (SHA-256 of both sides, then CRYPTO_memcmp, so neither content nor length
// leaks through timing; common/auth/bearer_token.h). The token is never logged. Queue ids
// from the request are checked against the id format before use. Retry and Delete go through
// the scheduler (one thread owns the schedule); List and Show read the queue directly
// (RocksDB reads are thread-safe).
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>
#include <string_view>

#include "common/auth/bearer_token.h"
#include "common/auth/grpc_authorizer.h"
#include "postern/v1/queue_admin.grpc.pb.h"
#include "router/queue.h"
#include "router/scheduler.h"

namespace postern::router {

// The shared constant-time check (common/auth/bearer_token.h).
using postern::auth::bearer_token_matches;

// The admin view of a queue record. With `config`, each pending recipient says how it
// leaves this node ("direct" / "forward to NODE", router/forward/gateway_choice.h).
postern::v1::QueuedMessage to_admin_view(const MessageRecord& record,
                                         const config::Config* config = nullptr);

class QueueAdminService final : public postern::v1::QueueAdmin::CallbackService {
 public:
  // `token` must not be empty (an empty token would refuse every call, by design).
  QueueAdminService(Queue& queue, Scheduler& scheduler, std::string token)
      : QueueAdminService(queue, scheduler, auth::CallerRule{std::move(token), {}, {}}) {}
  // The admin token or a client certificate named in admin.tls_clients (auth::admin_callers).
  QueueAdminService(Queue& queue, Scheduler& scheduler, auth::CallerRule callers)
      : queue_(queue), scheduler_(scheduler), auth_("router", "QueueAdmin", std::move(callers)) {}

  // Views then show where pending recipients go (`config` must outlive the service).
  void show_routing(const config::Config& config) { config_ = &config; }

  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* context,
                                 const postern::v1::ListQueueRequest* request,
                                 postern::v1::ListQueueReply* reply) override;
  grpc::ServerUnaryReactor* Show(grpc::CallbackServerContext* context,
                                 const postern::v1::QueueRef* request,
                                 postern::v1::QueuedMessage* reply) override;
  grpc::ServerUnaryReactor* Retry(grpc::CallbackServerContext* context,
                                  const postern::v1::QueueRef* request,
                                  postern::v1::QueueActionReply* reply) override;
  grpc::ServerUnaryReactor* Delete(grpc::CallbackServerContext* context,
                                   const postern::v1::QueueRef* request,
                                   postern::v1::QueueActionReply* reply) override;

 private:
  bool authorized(grpc::CallbackServerContext* context) const;

  Queue& queue_;
  Scheduler& scheduler_;
  const config::Config* config_ = nullptr;
  auth::CallAuthorizer auth_;
};

}  // namespace postern::router
