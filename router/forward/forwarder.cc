#include "router/forward/forwarder.h"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <functional>
#include <mutex>

#include "common/grpc_tls/channels.h"
#include "common/log/log.h"
#include "postern/v1/router.grpc.pb.h"
#include "router/forward/forward_record.h"

namespace postern::router::forward {
namespace asio = boost::asio;

struct ForwardDeliverer::Target {
  Gateway gateway;
  std::unique_ptr<postern::v1::Router::Stub> stub;
};

namespace {

constexpr std::size_t kChunkBytes = 1u << 20;  // data chunk size, like the edge's Submit

struct ForwardCallResult {
  grpc::Status status;
  postern::v1::ForwardReply reply;
};

// One Forward stream: the header chunk, then the body in kChunkBytes slices. Deletes itself
// when gRPC is done with it; `complete` runs then (on a gRPC thread).
class ForwardCall final : public grpc::ClientWriteReactor<postern::v1::ForwardChunk> {
 public:
  // Lets a canceller reach the call only while it exists.
  struct Handle {
    std::mutex mu;
    ForwardCall* call = nullptr;
    void cancel() {
      std::lock_guard lock(mu);
      if (call) call->context_.TryCancel();
    }
  };

  ForwardCall(postern::v1::ForwardHeader header, std::shared_ptr<const std::string> message,
              std::size_t offset, std::shared_ptr<Handle> handle,
              std::function<void(ForwardCallResult)> complete)
      : message_(std::move(message)), pos_(offset), handle_(std::move(handle)),
        complete_(std::move(complete)) {
    *chunk_.mutable_header() = std::move(header);
    handle_->call = this;
  }

  void start(postern::v1::Router::Stub* stub, const std::string& token,
             std::chrono::milliseconds deadline) {
    context_.set_deadline(std::chrono::system_clock::now() + deadline);
    context_.AddMetadata("authorization", "Bearer " + token);
    stub->async()->Forward(&context_, &reply_, this);
    StartWrite(&chunk_);
    StartCall();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return;  // the stream broke: OnDone follows with the status
    if (pos_ >= message_->size()) {
      StartWritesDone();
      return;
    }
    const std::size_t n = std::min(kChunkBytes, message_->size() - pos_);
    chunk_.Clear();
    chunk_.set_data(message_->data() + pos_, n);
    pos_ += n;
    StartWrite(&chunk_);
  }

  void OnDone(const grpc::Status& status) override {
    {
      std::lock_guard lock(handle_->mu);
      handle_->call = nullptr;
    }
    complete_(ForwardCallResult{status, std::move(reply_)});
    delete this;
  }

 private:
  grpc::ClientContext context_;
  postern::v1::ForwardReply reply_;
  postern::v1::ForwardChunk chunk_;
  std::shared_ptr<const std::string> message_;
  std::size_t pos_;
  std::shared_ptr<Handle> handle_;
  std::function<void(ForwardCallResult)> complete_;
};

// One Forward, bridged to Asio. Not a coroutine on purpose (GCC 12): the initiation's
// arguments are passed to async_initiate. Per-operation cancellation cancels the call.
asio::awaitable<ForwardCallResult> forward_once(postern::v1::Router::Stub* stub,
                                                postern::v1::ForwardHeader header,
                                                std::shared_ptr<const std::string> message,
                                                std::size_t offset, std::string token,
                                                std::chrono::milliseconds deadline) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(ForwardCallResult)>(
      [](auto handler, postern::v1::Router::Stub* stub, postern::v1::ForwardHeader header,
         std::shared_ptr<const std::string> message, std::size_t offset, std::string token,
         std::chrono::milliseconds deadline) {
        auto ex = asio::get_associated_executor(handler);
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto handle = std::make_shared<ForwardCall::Handle>();
        if (slot.is_connected()) {
          slot.assign([handle](asio::cancellation_type) { handle->cancel(); });
        }
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto* call = new ForwardCall(
            std::move(header), std::move(message), offset, handle,
            [ex, shared](ForwardCallResult r) {
              asio::post(ex, [shared, r = std::move(r)]() mutable {
                auto s = asio::get_associated_cancellation_slot(*shared);
                if (s.is_connected()) s.clear();
                std::move(*shared)(std::move(r));
              });
            });
        call->start(stub, token, deadline);
      },
      asio::use_awaitable, stub, std::move(header), std::move(message), offset,
      std::move(token), deadline);
}

std::string code_name(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE: return "unavailable";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "no answer in time";
    case grpc::StatusCode::UNAUTHENTICATED: return "refused the cluster token";
    case grpc::StatusCode::FAILED_PRECONDITION: return "refused";
    case grpc::StatusCode::INVALID_ARGUMENT: return "invalid";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "too large";
    case grpc::StatusCode::ABORTED: return "busy";
    case grpc::StatusCode::CANCELLED: return "cancelled";
    case grpc::StatusCode::UNIMPLEMENTED: return "does not take Forward";
    default: return "error " + std::to_string(static_cast<int>(code));
  }
}

// "forward to demeter (127.0.0.1:7101): unavailable: failed to connect to all addresses"
std::string describe(const Gateway& g, const grpc::Status& status) {
  std::string text = "forward to " + g.node + " (" + g.endpoint + "): " +
                     code_name(status.error_code());
  std::string message = status.error_message();
  for (char& c : message) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (message.size() > 300) message.resize(300);
  if (!message.empty()) text += ": " + message;
  return text;
}

std::vector<Outcome> all(std::size_t n, Outcome::Kind kind, const smtp::Reply& reply,
                         const std::string& remote) {
  Outcome o;
  o.kind = kind;
  o.reply = reply;
  o.remote = remote;
  return std::vector<Outcome>(n, o);
}

}  // namespace

ForwardDeliverer::ForwardDeliverer(const config::Config& config,
                                   const config::Destination& destination,
                                   std::string cluster_token, Counters& counters,
                                   std::chrono::milliseconds deadline)
    : config_(config), destination_(destination.name), token_(std::move(cluster_token)),
      counters_(counters), deadline_(deadline) {
  // Process-lifetime channels (cluster.tls) reconnecting within a second, so a gateway that
  // comes back is used at the waiting message's next scheduled attempt.
  const grpc_tls::ClusterChannels channels(
      config, grpc_tls::Reconnect{std::chrono::milliseconds(250), std::chrono::seconds(1)});
  for (Gateway& g : gateways_for(destination, config.node.name, config.cluster.nodes)) {
    auto t = std::make_unique<Target>();
    t->stub = postern::v1::Router::NewStub(channels.channel(g.endpoint));
    t->gateway = std::move(g);
    targets_.push_back(std::move(t));
  }
}

ForwardDeliverer::~ForwardDeliverer() = default;

asio::awaitable<std::vector<Outcome>> ForwardDeliverer::deliver(const DeliveryJob& job) {
  const std::size_t n = job.recipients.size();
  auto log = log::get("router");
  if (job.record == nullptr || !job.message) {
    co_return all(n, Outcome::Kind::temporary,
                  smtp::Reply(451, {4, 3, 0}, "internal error: forwarding job without its record"),
                  "");
  }
  const MessageRecord& record = *job.record;
  if (record.has_forwarded_from()) {
    const std::string why = "not forwarding again: this message was forwarded here from " +
                            record.forwarded_from().node() + "/" +
                            record.forwarded_from().queue_id() + " and destination " +
                            destination_ + " is not served by " + config_.node.name +
                            " (check served_by)";
    log->warn("{}: {}", job.queue_id, why);
    co_return all(n, Outcome::Kind::temporary, smtp::Reply(451, {4, 4, 6}, why), "");
  }
  if (targets_.empty()) {
    co_return all(n, Outcome::Kind::temporary,
                  smtp::Reply(451, {4, 4, 1},
                              "no gateway for destination " + destination_ +
                                  ": no served_by node has an endpoint in cluster.nodes"),
                  "");
  }
  const std::string_view body = body_to_forward(record, *job.message);
  const std::size_t offset = job.message->size() - body.size();
  const postern::v1::ForwardHeader header =
      make_forward_header(record, job.recipients, config_.node.name, body.size());

  std::string errors;
  for (const auto& t : targets_) {
    ForwardCallResult r =
        co_await forward_once(t->stub.get(), header, job.message, offset, token_, deadline_);
    if (r.status.ok()) {
      ++counters_.forwarded_out;
      const std::string remote = t->gateway.node + " (" + t->gateway.endpoint + ")";
      log->info("{}: forwarded to {} as {}: {} recipient(s) for destination {}{}", job.queue_id,
                remote, r.reply.queue_id(), n, destination_,
                r.reply.duplicate() ? " (it had stored it already)" : "");
      co_return all(n, Outcome::Kind::delivered,
                    smtp::Reply(250, {2, 0, 0},
                                "forwarded to " + t->gateway.node + " as " + r.reply.queue_id()),
                    remote);
    }
    ++counters_.forward_failures;
    const std::string why = describe(t->gateway, r.status);
    log->warn("{}: {}", job.queue_id, why);
    if (!errors.empty()) errors += "; ";
    errors += why;
    if (r.status.error_code() == grpc::StatusCode::CANCELLED) break;  // shutting down
  }
  co_return all(n, Outcome::Kind::temporary, smtp::Reply(451, {4, 4, 1}, errors), "");
}

}  // namespace postern::router::forward
