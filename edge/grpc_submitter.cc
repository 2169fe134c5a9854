#include "edge/grpc_submitter.h"

#include <grpcpp/grpcpp.h>

#include <map>
#include <mutex>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log/log.h"
#include "edge/health_watch.h"
#include "postern/v1/router.grpc.pb.h"

namespace postern::edge {
namespace asio = boost::asio;

struct GrpcSubmitter::Target {
  std::string address;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::Router::Stub> stub;
};

namespace {

struct Attempt {
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  std::string message;
  std::string queue_id;
};

v1::SubmitHeader make_header(const SubmitRequest& r, const std::string& edge_node) {
  v1::SubmitHeader h;
  auto* env = h.mutable_envelope();
  env->set_mail_from(r.mail_from);
  for (const auto& rcpt : r.recipients) env->add_recipients()->set_address(rcpt);
  env->set_smtputf8(r.smtputf8);
  env->set_body(r.body == smtp::codec::BodyType::eight_bit_mime ? v1::BODY_TYPE_8BITMIME
                                                                : v1::BODY_TYPE_UNSPECIFIED);
  env->set_envid(r.envid);
  auto* client = h.mutable_client();
  client->set_address(r.client.address);
  client->set_helo(r.client.helo);
  client->set_auth_user(r.client.auth_user);
  client->set_tls(r.client.tls);
  client->set_edge_node(edge_node);
  client->set_listener(r.client.listener);
  client->set_trusted_network(r.client.trusted_network);
  h.set_size(r.message.size());
  for (const auto& e : r.dmarc_evaluations) h.add_dmarc_evaluations(e);
  return h;
}

// One Submit call. Owns itself from start() until OnDone, which posts the handler back to
// its executor and deletes the reactor. Writes one chunk at a time (gRPC allows one
// outstanding write per stream).
template <class Handler>
class SubmitReactor final : public grpc::ClientWriteReactor<v1::SubmitChunk> {
 public:
  SubmitReactor(std::shared_ptr<const SubmitRequest> request, v1::SubmitHeader header,
                std::chrono::milliseconds deadline, Handler handler)
      : request_(std::move(request)), handler_(std::move(handler)) {
    *chunk_.mutable_header() = std::move(header);
    context_.set_deadline(std::chrono::system_clock::now() + deadline);
  }

  void start(v1::Router::Stub* stub) {
    stub->async()->Submit(&context_, &reply_, this);
    StartWrite(&chunk_);
    StartCall();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return;  // the stream broke; OnDone reports why
    const std::string& m = request_->message;
    if (offset_ < m.size()) {
      const std::size_t n = std::min(GrpcSubmitter::kChunkBytes, m.size() - offset_);
      chunk_.Clear();
      chunk_.set_data(m.data() + offset_, n);
      offset_ += n;
      StartWrite(&chunk_);
      return;
    }
    StartWritesDone();
  }

  void OnDone(const grpc::Status& status) override {
    Attempt a;
    a.code = status.error_code();
    a.message = status.error_message();
    if (status.ok()) a.queue_id = reply_.queue_id();
    auto ex = asio::get_associated_executor(handler_);
    asio::post(ex, [h = std::move(handler_), a = std::move(a)]() mutable { std::move(h)(std::move(a)); });
    delete this;
  }

 private:
  std::shared_ptr<const SubmitRequest> request_;
  Handler handler_;
  grpc::ClientContext context_;
  v1::SubmitChunk chunk_;
  v1::SubmitReply reply_;
  std::size_t offset_ = 0;
};

// Not a coroutine on purpose (see directory_verifier.cc): the initiation's arguments are
// passed to async_initiate, not captured from a coroutine frame.
asio::awaitable<Attempt> submit_once(v1::Router::Stub* stub,
                                     std::shared_ptr<const SubmitRequest> request,
                                     v1::SubmitHeader header, std::chrono::milliseconds deadline) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Attempt)>(
      [](auto handler, v1::Router::Stub* stub, std::shared_ptr<const SubmitRequest> request,
         v1::SubmitHeader header, std::chrono::milliseconds deadline) {
        using H = decltype(handler);
        auto* reactor = new SubmitReactor<H>(std::move(request), std::move(header), deadline,
                                             std::move(handler));
        reactor->start(stub);
      },
      asio::use_awaitable, stub, std::move(request), std::move(header), deadline);
}

// One unary Router/RecordDmarc call, bridged like submit_once(). The state (context, request,
// reply) lives on the heap until gRPC's callback, which posts the handler to its executor.
asio::awaitable<Attempt> record_once(v1::Router::Stub* stub,
                                     std::shared_ptr<const v1::RecordDmarcRequest> request,
                                     std::chrono::milliseconds deadline) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Attempt)>(
      [](auto handler, v1::Router::Stub* stub,
         std::shared_ptr<const v1::RecordDmarcRequest> request,
         std::chrono::milliseconds deadline) {
        struct Call {
          grpc::ClientContext context;
          v1::RecordDmarcReply reply;
          std::shared_ptr<const v1::RecordDmarcRequest> request;
        };
        auto call = std::make_shared<Call>();
        call->request = std::move(request);
        call->context.set_deadline(std::chrono::system_clock::now() + deadline);
        auto ex = asio::get_associated_executor(handler);
        // gRPC wants a copyable callback; the completion handler is move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        stub->async()->RecordDmarc(
            &call->context, call->request.get(), &call->reply,
            [call, ex, shared](grpc::Status status) {
              Attempt a;
              a.code = status.error_code();
              a.message = status.error_message();
              asio::post(ex, [shared, a = std::move(a)]() mutable {
                std::move(*shared)(std::move(a));
              });
            });
      },
      asio::use_awaitable, stub, std::move(request), deadline);
}

}  // namespace

struct GrpcSubmitter::Health {
  explicit Health(std::size_t routers) : health(routers) {}
  std::mutex mutex;
  RouterHealth health;
  std::vector<std::string> addresses;
  std::shared_ptr<spdlog::logger> log = log::get("edge");

  void set(std::size_t index, RouterState state, const char* source) {
    std::lock_guard lock(mutex);
    const RouterState before = health.state(index);
    if (!health.set(index, state)) return;
    const auto level = is_down(state) ? spdlog::level::warn : spdlog::level::info;
    log->log(level, "router {} is {} (was {}; {})", addresses[index], to_string(state),
             to_string(before), source);
  }
};

GrpcSubmitter::GrpcSubmitter(const std::vector<config::HostPort>& routers, std::string edge_node,
                             std::chrono::milliseconds deadline,
                             std::chrono::milliseconds health_check_interval,
                             const grpc_tls::ClusterChannels& channels)
    : edge_node_(std::move(edge_node)),
      deadline_(deadline),
      health_(std::make_shared<Health>(routers.size())) {
  std::vector<std::shared_ptr<grpc::Channel>> watched;
  for (const auto& r : routers) {
    auto t = std::make_unique<Target>();
    t->address = r.to_string();
    t->channel = channels.channel(t->address);
    t->stub = v1::Router::NewStub(t->channel);
    health_->addresses.push_back(t->address);
    watched.push_back(t->channel);
    targets_.push_back(std::move(t));
  }
  if (!targets_.empty()) {
    watch_ = std::make_unique<HealthWatch>(
        std::move(watched), health_check_interval,
        [health = health_](std::size_t index, RouterState state) {
          health->set(index, state, "health check");
        });
  }
}

GrpcSubmitter::~GrpcSubmitter() = default;

RouterState GrpcSubmitter::router_state(std::size_t index) const {
  std::lock_guard lock(health_->mutex);
  return health_->health.state(index);
}

std::vector<std::size_t> GrpcSubmitter::plan() {
  const std::size_t first = next_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(health_->mutex);
  return health_->health.order(first);
}

void GrpcSubmitter::observed(std::size_t index, int grpc_code) {
  if (grpc_code == grpc::StatusCode::OK) {
    health_->set(index, RouterState::serving, "call succeeded");
  } else if (grpc_code == grpc::StatusCode::UNAVAILABLE) {
    health_->set(index, RouterState::unreachable, "call failed: unavailable");
  }
}

asio::awaitable<SubmitResult> GrpcSubmitter::submit(SubmitRequest request) {
  SubmitResult result;
  if (targets_.empty()) {
    result.error = "no routers configured (cluster.routers)";
    co_return result;
  }
  const v1::SubmitHeader header = make_header(request, edge_node_);
  auto shared = std::make_shared<const SubmitRequest>(std::move(request));
  const std::vector<std::size_t> order = plan();
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::size_t index = order[i];
    Target& t = *targets_[index];
    Attempt a = co_await submit_once(t.stub.get(), shared, header, deadline_);
    observed(index, a.code);
    if (a.code == grpc::StatusCode::OK) {
      result.ok = true;
      result.queue_id = a.queue_id;
      co_return result;
    }
    if (!result.error.empty()) result.error += "; ";
    result.error += t.address + ": " + std::to_string(static_cast<int>(a.code)) + " " + a.message;
    // Only "never reached the router" is safe and useful to retry elsewhere at once.
    if (a.code != grpc::StatusCode::UNAVAILABLE) break;
    if (i + 1 < order.size()) {
      health_->log->info("{}: router {} unavailable ({}); trying {}", shared->transaction_id,
                         t.address, a.message, targets_[order[i + 1]]->address);
    }
  }
  co_return result;
}

}  // namespace postern::edge

namespace postern::edge {

asio::awaitable<SubmitResult> GrpcSubmitter::record_dmarc(std::vector<std::string> evaluations) {
  SubmitResult result;
  if (targets_.empty()) {
    result.error = "no routers configured (cluster.routers)";
    co_return result;
  }
  auto request = std::make_shared<v1::RecordDmarcRequest>();
  for (auto& e : evaluations) request->add_evaluations(std::move(e));
  for (const std::size_t index : plan()) {
    Target& t = *targets_[index];
    Attempt a = co_await record_once(t.stub.get(), request, deadline_);
    observed(index, a.code);
    if (a.code == grpc::StatusCode::OK) {
      result.ok = true;
      co_return result;
    }
    if (!result.error.empty()) result.error += "; ";
    result.error += t.address + ": " + std::to_string(static_cast<int>(a.code)) + " " + a.message;
    if (a.code != grpc::StatusCode::UNAVAILABLE) break;
  }
  co_return result;
}

}  // namespace postern::edge
