#include "router/queue_admin_service.h"

#include "common/log/log.h"
#include "router/forward/gateway_choice.h"
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

const grpc::Status kBadId(grpc::INVALID_ARGUMENT, "not a queue id");

}  // namespace

postern::v1::QueuedMessage to_admin_view(const MessageRecord& record,
                                         const config::Config* config) {
  postern::v1::QueuedMessage m;
  m.set_queue_id(record.queue_id());
  m.set_mail_from(record.envelope().mail_from());
  m.set_received_unix(record.received_unix_ms() / 1000);
  m.set_size(record.size());
  m.set_client_address(record.client().address());
  m.set_auth_user(record.client().auth_user());
  if (record.has_forwarded_from()) {
    m.set_forwarded_from(record.forwarded_from().node() + "/" + record.forwarded_from().queue_id());
  }
  for (const RecipientRecord& r : record.recipients()) {
    auto* q = m.add_recipients();
    q->set_address(r.address());
    q->set_destination(r.destination());
    q->set_state(to_admin_state(r.status()));
    q->set_attempts(r.attempts());
    q->set_next_attempt_unix(r.next_attempt_unix_ms() / 1000);
    q->set_last_reply(r.last_reply());
    if (config && r.status() == postern::v1::queue::RECIPIENT_STATUS_PENDING) {
      auto d = config->router.destinations.find(r.destination());
      if (d != config->router.destinations.end()) {
        // A forwarded message is delivered here whatever served_by says (hop limit 1).
        q->set_via(record.has_forwarded_from()
                       ? "direct"
                       : forward::describe_via(d->second, config->node.name));
      }
    }
  }
  return m;
}

bool QueueAdminService::authorized(grpc::CallbackServerContext* context) const {
  return auth_.authorized(*context);
}

grpc::ServerUnaryReactor* QueueAdminService::List(grpc::CallbackServerContext* context,
                                                  const postern::v1::ListQueueRequest* request,
                                                  postern::v1::ListQueueReply* reply) {
  if (!authorized(context)) return finish(context, auth::unauthenticated(auth_.rule(), "admin"));
  const uint32_t limit = request->limit();
  queue_.for_each([&](const MessageRecord& record) {
    *reply->add_messages() = to_admin_view(record, config_);
    return limit == 0 || static_cast<uint32_t>(reply->messages_size()) < limit;
  });
  return finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* QueueAdminService::Show(grpc::CallbackServerContext* context,
                                                  const postern::v1::QueueRef* request,
                                                  postern::v1::QueuedMessage* reply) {
  if (!authorized(context)) return finish(context, auth::unauthenticated(auth_.rule(), "admin"));
  if (!valid_queue_id(request->queue_id())) return finish(context, kBadId);
  auto record = queue_.load(request->queue_id());
  if (!record) return finish(context, grpc::Status(grpc::NOT_FOUND, "no such message"));
  *reply = to_admin_view(*record, config_);
  return finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* QueueAdminService::Retry(grpc::CallbackServerContext* context,
                                                   const postern::v1::QueueRef* request,
                                                   postern::v1::QueueActionReply* reply) {
  if (!authorized(context)) return finish(context, auth::unauthenticated(auth_.rule(), "admin"));
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
  if (!authorized(context)) return finish(context, auth::unauthenticated(auth_.rule(), "admin"));
  if (!valid_queue_id(request->queue_id())) return finish(context, kBadId);
  auto* reactor = context->DefaultReactor();
  scheduler_.remove(request->queue_id(), [reactor, reply](bool found) {
    reply->set_found(found);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

}  // namespace postern::router
