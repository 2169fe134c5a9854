#include "router/submit_service.h"

#include <algorithm>

#include "common/log/log.h"
#include "router/forward/forward_service.h"

namespace postern::router {
namespace {

class SubmitReactor final : public grpc::ServerReadReactor<postern::v1::SubmitChunk> {
 public:
  SubmitReactor(Intake& intake, const config::Config& config, Counters& counters,
                grpc::CallbackServerContext* context, postern::v1::SubmitReply* reply)
      : intake_(intake), max_bytes_(max_submit_bytes(config)), config_(config),
        counters_(counters), context_(context), reply_(reply) {
    StartRead(&chunk_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) return end_of_stream();
    if (!have_header_) {
      if (!chunk_.has_header()) return fail(grpc::INVALID_ARGUMENT, "first chunk must be the header");
      header_ = std::move(*chunk_.mutable_header());
      if (header_.size() > max_bytes_) {
        return fail(grpc::RESOURCE_EXHAUSTED, "message larger than " + std::to_string(max_bytes_) + " bytes");
      }
      if (std::string why = validate_header(header_, config_); !why.empty()) {
        return fail(grpc::INVALID_ARGUMENT, why);
      }
      have_header_ = true;
      body_.reserve(std::min<uint64_t>(header_.size(), 4u << 20));
    } else {
      if (!chunk_.has_data()) return fail(grpc::INVALID_ARGUMENT, "only data chunks may follow the header");
      if (body_.size() + chunk_.data().size() > header_.size()) {
        return fail(grpc::INVALID_ARGUMENT, "more data than the declared size");
      }
      body_ += chunk_.data();
    }
    chunk_.Clear();
    StartRead(&chunk_);
  }

  void OnDone() override { delete this; }

 private:
  void end_of_stream() {
    if (!have_header_) return fail(grpc::INVALID_ARGUMENT, "no header");
    if (body_.size() != header_.size()) {
      return fail(grpc::INVALID_ARGUMENT, "received " + std::to_string(body_.size()) +
                                              " bytes, declared " + std::to_string(header_.size()));
    }
    // A client that gave up will answer its sender 4xx: storing now would only duplicate.
    if (context_->IsCancelled()) return fail(grpc::CANCELLED, "client cancelled the call");
    intake_.submit(header_, std::move(body_), [this](IntakeResult result) {
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

  void fail(grpc::StatusCode code, const std::string& why) {
    ++counters_.submit_refused;
    log::get("router")->warn("Submit refused: {}", why);
    Finish(grpc::Status(code, why));
  }

  Intake& intake_;
  uint64_t max_bytes_;
  const config::Config& config_;
  Counters& counters_;
  grpc::CallbackServerContext* context_;
  postern::v1::SubmitReply* reply_;
  postern::v1::SubmitChunk chunk_;
  postern::v1::SubmitHeader header_;
  std::string body_;
  bool have_header_ = false;
};

}  // namespace

grpc::ServerReadReactor<postern::v1::SubmitChunk>* SubmitService::Submit(
    grpc::CallbackServerContext* context, postern::v1::SubmitReply* reply) {
  return new SubmitReactor(intake_, config_, counters_, context, reply);
}

grpc::ServerReadReactor<postern::v1::ForwardChunk>* SubmitService::Forward(
    grpc::CallbackServerContext* context, postern::v1::ForwardReply* reply) {
  return forward::make_forward_reactor(forward_, forward_callers_, config_, counters_, context,
                                       reply);
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
