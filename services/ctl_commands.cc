#include "services/ctl_commands.h"

#include <iostream>

#include "postern/v1/queue_admin.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/queue_format.h"

namespace postern::services {
namespace {

void prepare(grpc::ClientContext& ctx, const CtlConnection& c) {
  ctx.set_deadline(std::chrono::system_clock::now() + c.timeout);
  if (!c.token.value.empty()) ctx.AddMetadata("authorization", "Bearer " + c.token.value);
}

int fail(const grpc::Status& status, const CtlConnection& c, const std::string& queue_id = "") {
  std::cerr << "posternctl: " << describe_rpc_error(status, c, queue_id) << "\n";
  return 1;
}

int not_found(const std::string& queue_id) {
  std::cerr << "posternctl: no message " << queue_id << " in the queue\n";
  return 1;
}

// Retry and Delete share their shape: a QueueRef in, `found` out.
template <class Method>
int queue_action(const CtlConnection& c, const std::string& queue_id, Method method,
                 const char* done) {
  auto stub = postern::v1::QueueAdmin::NewStub(c.channel);
  grpc::ClientContext ctx;
  prepare(ctx, c);
  postern::v1::QueueRef ref;
  ref.set_queue_id(queue_id);
  postern::v1::QueueActionReply reply;
  const grpc::Status status = ((*stub).*method)(&ctx, ref, &reply);
  if (!status.ok()) return fail(status, c, queue_id);
  if (!reply.found()) return not_found(queue_id);
  std::cout << queue_id << ": " << done << "\n";
  return 0;
}

}  // namespace

std::string describe_rpc_error(const grpc::Status& status, const CtlConnection& c,
                               const std::string& queue_id) {
  const std::string detail = status.error_message().empty() ? "" : " (" + status.error_message() + ")";
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return "cannot reach the router at " + c.server + detail +
             "; is it running? (--server HOST:PORT, default router.listen)";
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return "the router at " + c.server + " refused the admin token from " +
             (c.token.source.empty() ? "nowhere" : c.token.source) + detail +
             "; use the router's admin.token_file";
    case grpc::StatusCode::NOT_FOUND:
      return queue_id.empty() ? "not found" + detail
                              : "no message " + queue_id + " in the queue";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "the router at " + c.server + " did not answer within " +
             std::to_string(c.timeout.count()) + "s";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "the router refused the request" + detail;
    case grpc::StatusCode::UNIMPLEMENTED:
      return "the server at " + c.server + " does not offer this service" + detail;
    default:
      return "call failed: gRPC status " + std::to_string(static_cast<int>(status.error_code())) +
             detail;
  }
}

int queue_list(const CtlConnection& c, uint32_t limit) {
  auto stub = postern::v1::QueueAdmin::NewStub(c.channel);
  grpc::ClientContext ctx;
  prepare(ctx, c);
  postern::v1::ListQueueRequest request;
  request.set_limit(limit);
  postern::v1::ListQueueReply reply;
  const grpc::Status status = stub->List(&ctx, request, &reply);
  if (!status.ok()) return fail(status, c);
  std::cout << format_queue_list(reply);
  return 0;
}

int queue_show(const CtlConnection& c, const std::string& queue_id) {
  auto stub = postern::v1::QueueAdmin::NewStub(c.channel);
  grpc::ClientContext ctx;
  prepare(ctx, c);
  postern::v1::QueueRef ref;
  ref.set_queue_id(queue_id);
  postern::v1::QueuedMessage message;
  const grpc::Status status = stub->Show(&ctx, ref, &message);
  if (!status.ok()) return fail(status, c, queue_id);
  std::cout << format_message(message, /*detailed=*/true);
  return 0;
}

int queue_retry(const CtlConnection& c, const std::string& queue_id) {
  return queue_action(c, queue_id, &postern::v1::QueueAdmin::Stub::Retry,
                      "pending recipients are due now");
}

int queue_delete(const CtlConnection& c, const std::string& queue_id) {
  return queue_action(c, queue_id, &postern::v1::QueueAdmin::Stub::Delete,
                      "deleted (no delivery, no DSN)");
}

int health(const CtlConnection& c, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(c.channel);
  grpc::ClientContext ctx;
  prepare(ctx, c);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse reply;
  const grpc::Status status = stub->Check(&ctx, request, &reply);
  if (!status.ok()) {
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
      std::cerr << "posternctl: " << c.server << " does not know service \"" << service
                << "\"\n";
      return 1;
    }
    return fail(status, c);
  }
  std::cout << c.server << ": "
            << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(reply.status()) << "\n";
  return reply.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}

}  // namespace postern::services
