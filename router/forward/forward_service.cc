#include "router/forward/forward_service.h"

#include <optional>

#include "common/log/log.h"
#include "router/message_stream_reactor.h"

namespace postern::router::forward {
namespace {

class ForwardReactor final
    : public MessageStreamReactor<postern::v1::ForwardChunk, postern::v1::ForwardHeader> {
 public:
  ForwardReactor(ForwardIntake& intake, Counters& counters, grpc::CallbackServerContext* context,
                 postern::v1::ForwardReply* reply)
      : MessageStreamReactor(context), intake_(intake), counters_(counters), reply_(reply) {
    start();
  }

 private:
  // The size cap, the envelope and whether this node serves the destinations.
  std::optional<grpc::Status> on_header(const postern::v1::ForwardHeader& header) override {
    ForwardResult checked = intake_.check(header);
    if (checked.code == ForwardResult::Code::ok) return std::nullopt;
    return status_of(checked);
  }

  void on_message(std::string body) override {
    intake_.store(header(), std::move(body), [this](ForwardResult result) {
      if (result.code != ForwardResult::Code::ok) {
        grpc::Status status = status_of(result);
        return refuse(status.error_code(), status.error_message());
      }
      reply_->set_queue_id(result.queue_id);
      reply_->set_duplicate(result.duplicate);
      Finish(grpc::Status::OK);
    });
  }

  void refuse(grpc::StatusCode code, const std::string& why) override {
    ++counters_.forward_refused;
    log::get("router")->warn("Forward of {}/{} refused: {}", header().origin_node(),
                             header().origin_queue_id(), why);
    Finish(grpc::Status(code, why));
  }

  static grpc::Status status_of(const ForwardResult& result) {
    switch (result.code) {
      case ForwardResult::Code::ok:
        return grpc::Status::OK;
      case ForwardResult::Code::invalid:
        return grpc::Status(grpc::INVALID_ARGUMENT, result.detail);
      case ForwardResult::Code::too_large:
        return grpc::Status(grpc::RESOURCE_EXHAUSTED, result.detail);
      case ForwardResult::Code::not_served:
        return grpc::Status(grpc::FAILED_PRECONDITION, result.detail);
      case ForwardResult::Code::busy:
        return grpc::Status(grpc::ABORTED, result.detail);
      case ForwardResult::Code::unavailable:
        return grpc::Status(grpc::UNAVAILABLE, result.detail);
    }
    return grpc::Status(grpc::INTERNAL, "unknown intake result");
  }

  ForwardIntake& intake_;
  Counters& counters_;
  postern::v1::ForwardReply* reply_;
};

// Finishes at once with `status`, reading nothing.
class RefuseReactor final : public grpc::ServerReadReactor<postern::v1::ForwardChunk> {
 public:
  explicit RefuseReactor(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerReadReactor<postern::v1::ForwardChunk>* make_forward_reactor(
    ForwardIntake* intake, const auth::CallAuthorizer* callers, Counters& counters,
    grpc::CallbackServerContext* context, postern::v1::ForwardReply* reply) {
  if (intake == nullptr || callers == nullptr) {
    return new RefuseReactor(grpc::Status(grpc::UNAVAILABLE, "this router takes no Forward"));
  }
  if (!callers->authorized(*context)) {  // logs the refusal (peer, never the token)
    ++counters.forward_refused;
    return new RefuseReactor(auth::unauthenticated(callers->rule(), "cluster"));
  }
  return new ForwardReactor(*intake, counters, context, reply);
}

}  // namespace postern::router::forward
