#include "router/forward/forward_service.h"

#include <algorithm>

#include "common/log/log.h"
#include "router/intake.h"

namespace postern::router::forward {
namespace {

class ForwardReactor final : public grpc::ServerReadReactor<postern::v1::ForwardChunk> {
 public:
  ForwardReactor(ForwardIntake& intake, const config::Config& config, Counters& counters,
                 grpc::CallbackServerContext* context, postern::v1::ForwardReply* reply)
      : intake_(intake), max_bytes_(max_submit_bytes(config)), counters_(counters),
        context_(context), reply_(reply) {
    StartRead(&chunk_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) return end_of_stream();
    if (!have_header_) {
      if (!chunk_.has_header()) {
        return fail(grpc::INVALID_ARGUMENT, "first chunk must be the header");
      }
      header_ = std::move(*chunk_.mutable_header());
      ForwardResult checked = intake_.check(header_);
      if (checked.code != ForwardResult::Code::ok) return finish_result(checked);
      have_header_ = true;
      body_.reserve(std::min<uint64_t>(header_.size(), 4u << 20));
    } else {
      if (!chunk_.has_data()) {
        return fail(grpc::INVALID_ARGUMENT, "only data chunks may follow the header");
      }
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
    // The origin gave up and keeps its copy (and retries): storing now would only duplicate.
    if (context_->IsCancelled()) return fail(grpc::CANCELLED, "client cancelled the call");
    intake_.store(header_, std::move(body_), [this](ForwardResult result) {
      finish_result(result);
    });
  }

  void finish_result(const ForwardResult& result) {
    switch (result.code) {
      case ForwardResult::Code::ok:
        reply_->set_queue_id(result.queue_id);
        reply_->set_duplicate(result.duplicate);
        return Finish(grpc::Status::OK);
      case ForwardResult::Code::invalid:
        return fail(grpc::INVALID_ARGUMENT, result.detail);
      case ForwardResult::Code::too_large:
        return fail(grpc::RESOURCE_EXHAUSTED, result.detail);
      case ForwardResult::Code::not_served:
        return fail(grpc::FAILED_PRECONDITION, result.detail);
      case ForwardResult::Code::busy:
        return fail(grpc::ABORTED, result.detail);
      case ForwardResult::Code::unavailable:
        return fail(grpc::UNAVAILABLE, result.detail);
    }
  }

  void fail(grpc::StatusCode code, const std::string& why) {
    ++counters_.forward_refused;
    log::get("router")->warn("Forward of {}/{} refused: {}", header_.origin_node(),
                             header_.origin_queue_id(), why);
    Finish(grpc::Status(code, why));
  }

  ForwardIntake& intake_;
  uint64_t max_bytes_;
  Counters& counters_;
  grpc::CallbackServerContext* context_;
  postern::v1::ForwardReply* reply_;
  postern::v1::ForwardChunk chunk_;
  postern::v1::ForwardHeader header_;
  std::string body_;
  bool have_header_ = false;
};

// Finishes at once with `status`, reading nothing.
class RefuseReactor final : public grpc::ServerReadReactor<postern::v1::ForwardChunk> {
 public:
  explicit RefuseReactor(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerReadReactor<postern::v1::ForwardChunk>* make_forward_reactor(
    ForwardIntake* intake, const auth::CallAuthorizer* callers, const config::Config& config,
    Counters& counters, grpc::CallbackServerContext* context, postern::v1::ForwardReply* reply) {
  if (intake == nullptr || callers == nullptr) {
    return new RefuseReactor(grpc::Status(grpc::UNAVAILABLE, "this router takes no Forward"));
  }
  if (!callers->authorized(*context)) {  // logs the refusal (peer, never the token)
    ++counters.forward_refused;
    return new RefuseReactor(auth::unauthenticated(callers->rule(), "cluster"));
  }
  return new ForwardReactor(*intake, config, counters, context, reply);
}

}  // namespace postern::router::forward
