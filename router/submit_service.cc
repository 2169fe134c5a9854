#include "router/submit_service.h"

#include <optional>

#include "common/log/log.h"
#include "router/forward/forward_service.h"
#include "router/message_stream_reactor.h"

namespace postern::router {
namespace {

class SubmitReactor final
    : public MessageStreamReactor<postern::v1::SubmitChunk, postern::v1::SubmitHeader> {
 public:
  SubmitReactor(Intake& intake, const config::Config& config, Counters& counters,
                grpc::CallbackServerContext* context, postern::v1::SubmitReply* reply)
      : MessageStreamReactor(context),
        intake_(intake),
        max_bytes_(max_submit_bytes(config)),
        config_(config),
        counters_(counters),
        reply_(reply) {
    start();
  }

 private:
  std::optional<grpc::Status> on_header(const postern::v1::SubmitHeader& header) override {
    if (header.size() > max_bytes_) {
      return grpc::Status(grpc::RESOURCE_EXHAUSTED,
                          "message larger than " + std::to_string(max_bytes_) + " bytes");
    }
    if (std::string why = validate_header(header, config_); !why.empty()) {
      return grpc::Status(grpc::INVALID_ARGUMENT, why);
    }
    return std::nullopt;
  }

  void on_message(std::string body) override {
    intake_.submit(header(), std::move(body), [this](IntakeResult result) {
      switch (result.code) {
        case IntakeResult::Code::ok:
          reply_->set_queue_id(result.queue_id);
          return Finish(grpc::Status::OK);
        case IntakeResult::Code::invalid:
          return Finish(grpc::Status(grpc::INVALID_ARGUMENT, result.detail));
        case IntakeResult::Code::too_large:
          return Finish(grpc::Status(grpc::RESOURCE_EXHAUSTED, result.detail));
        case IntakeResult::Code::unavailable:
          return Finish(grpc::Status(grpc::UNAVAILABLE, result.detail));
      }
    });
  }

  void refuse(grpc::StatusCode code, const std::string& why) override {
    ++counters_.submit_refused;
    log::get("router")->warn("Submit refused: {}", why);
    Finish(grpc::Status(code, why));
  }

  Intake& intake_;
  uint64_t max_bytes_;
  const config::Config& config_;
  Counters& counters_;
  postern::v1::SubmitReply* reply_;
};

}  // namespace

grpc::ServerReadReactor<postern::v1::SubmitChunk>* SubmitService::Submit(
    grpc::CallbackServerContext* context, postern::v1::SubmitReply* reply) {
  return new SubmitReactor(intake_, config_, counters_, context, reply);
}

grpc::ServerReadReactor<postern::v1::ForwardChunk>* SubmitService::Forward(
    grpc::CallbackServerContext* context, postern::v1::ForwardReply* reply) {
  return forward::make_forward_reactor(forward_, forward_callers_, counters_, context, reply);
}

grpc::ServerUnaryReactor* SubmitService::RecordDmarc(grpc::CallbackServerContext* context,
                                                     const postern::v1::RecordDmarcRequest* request,
                                                     postern::v1::RecordDmarcReply* /*reply*/) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  intake_.record_dmarc(*request, [reactor](IntakeResult result) {
    switch (result.code) {
      case IntakeResult::Code::ok:
        return reactor->Finish(grpc::Status::OK);
      case IntakeResult::Code::invalid:
      case IntakeResult::Code::too_large:
        return reactor->Finish(grpc::Status(grpc::INVALID_ARGUMENT, result.detail));
      case IntakeResult::Code::unavailable:
        return reactor->Finish(grpc::Status(grpc::UNAVAILABLE, result.detail));
    }
  });
  return reactor;
}

}  // namespace postern::router
