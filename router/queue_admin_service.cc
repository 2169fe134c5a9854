#include "router/queue_admin_service.h"

#include "common/log/log.h"
#include "router/queue_id.h"

namespace postern::router {
namespace {

using postern::v1::RecipientState;

RecipientState to_admin_state(postern::v1::queue::RecipientStatus status) {
  switch (status) {
    case postern::v1::queue::RECIPIENT_STATUS_PENDING:
      return postern::v1::RECIPIENT_STATE_PENDING;
    case postern::v1::queue::RECIPIENT_STATUS_DELIVERED:
      return postern::v1::RECIPIENT_STATE_DELIVERED;
    case postern::v1::queue::RECIPIENT_STATUS_FAILED:
      return postern::v1::RECIPIENT_STATE_FAILED;
    default:
      return postern::v1::RECIPIENT_STATE_UNSPECIFIED;
  }
}

grpc::ServerUnaryReactor* finish(grpc::CallbackServerContext* context, grpc::Status status) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

const grpc::Status kUnauthenticated(grpc::UNAUTHENTICATED, "missing or wrong admin token");
const grpc::Status kBadId(grpc::INVALID_ARGUMENT, "not a queue id");

}  // namespace

postern::v1::QueuedMessage to_admin_view(const MessageRecord& record) {
  postern::v1::QueuedMessage m;
  m.set_queue_id(record.queue_id());
  m.set_mail_from(record.envelope().mail_from());
  m.set_received_unix(record.received_unix_ms() / 1000);
  m.set_size(record.size());
  m.set_client_address(record.client().address());
  m.set_auth_user(record.client().auth_user());
  for (const RecipientRecord& r : record.recipients()) {
    auto* q = m.add_recipients();
    q->set_address(r.address());
    q->set_destination(r.destination());
    q->set_state(to_admin_state(r.status()));
    q->set_attempts(r.attempts());
    q->set_next_attempt_unix(r.next_attempt_unix_ms() / 1000);
    q->set_last_reply(r.last_reply());
  }
  return m;
}

bool QueueAdminService::authorized(grpc::CallbackServerContext* context) const {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  const std::string_view value =
      it == metadata.end() ? std::string_view() : std::string_view(it->second.data(), it->second.size());
  if (bearer_token_matches(value, token_)) return true;
  log::get("router")->warn("QueueAdmin call from {} refused: bad or missing token", context->peer());
  return false;
}

grpc::ServerUnaryReactor* QueueAdminService::List(grpc::CallbackServerContext* context,
                                                  const postern::v1::ListQueueRequest* request,
                                                  postern::v1::ListQueueReply* reply) {
  if (!authorized(context)) return finish(context, kUnauthenticated);
  const uint32_t limit = request->limit();
  queue_.for_each([&](const MessageRecord& record) {
    *reply->add_messages() = to_admin_view(record);
    return limit == 0 || static_cast<uint32_t>(reply->messages_size()) < limit;
  });
  return finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* QueueAdminService::Show(grpc::CallbackServerContext* context,
                                                  const postern::v1::QueueRef* request,
                                                  postern::v1::QueuedMessage* reply) {
  if (!authorized(context)) return finish(context, kUnauthenticated);
  if (!valid_queue_id(request->queue_id())) return finish(context, kBadId);
  auto record = queue_.load(request->queue_id());
  if (!record) return finish(context, grpc::Status(grpc::NOT_FOUND, "no such message"));
  *reply = to_admin_view(*record);
  return finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* QueueAdminService::Retry(grpc::CallbackServerContext* context,
                                                   const postern::v1::QueueRef* request,
                                                   postern::v1::QueueActionReply* reply) {
  if (!authorized(context)) return finish(context, kUnauthenticated);
  if (!valid_queue_id(request->queue_id())) return finish(context, kBadId);
  auto* reactor = context->DefaultReactor();
  scheduler_.retry_now(request->queue_id(), [reactor, reply](bool found) {
    reply->set_found(found);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* QueueAdminService::Delete(grpc::CallbackServerContext* context,
                                                    const postern::v1::QueueRef* request,
                                                    postern::v1::QueueActionReply* reply) {
  if (!authorized(context)) return finish(context, kUnauthenticated);
  if (!valid_queue_id(request->queue_id())) return finish(context, kBadId);
  auto* reactor = context->DefaultReactor();
  scheduler_.remove(request->queue_id(), [reactor, reply](bool found) {
    reply->set_found(found);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

}  // namespace postern::router
