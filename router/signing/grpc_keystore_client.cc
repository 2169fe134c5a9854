#include "router/signing/grpc_keystore_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <mutex>

#include "postern/v1/keystore.grpc.pb.h"

namespace postern::router::signing {
namespace asio = boost::asio;

struct GrpcKeystoreClient::Target {
  std::string address;
  std::unique_ptr<v1::Keystore::Stub> stub;
};

namespace {

// Channels live for the whole process, one per keystore address. Why: gRPC 1.51's callback
// API runs on a shared completion queue that is torn down with the last channel using it,
// possibly while a callback is still unwinding on its thread (see edge/grpc_submitter.cc).
std::shared_ptr<grpc::Channel> process_channel(const std::string& address) {
  static std::mutex* mutex = new std::mutex;
  static auto* channels = new std::map<std::string, std::shared_ptr<grpc::Channel>>;
  std::lock_guard lock(*mutex);
  auto& channel = (*channels)[address];
  if (!channel) {
    grpc::ChannelArguments args;
    // A keystore that was down is noticed again within seconds, not gRPC's default 2 minutes.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 500);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
    channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  }
  return channel;
}

template <class Request, class Reply>
struct CallResult {
  grpc::Status status;
  Reply reply;
};

// One unary call, bridged to Asio. Not a coroutine on purpose (GCC 12): the initiation's
// arguments are passed to async_initiate, not captured from a coroutine frame. The call state
// lives on the heap until gRPC's callback, which posts the handler to its executor.
template <class Request, class Reply, class Method>
asio::awaitable<CallResult<Request, Reply>> call_once(Method method, Request request,
                                                     std::string token,
                                                     std::chrono::milliseconds deadline) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(CallResult<Request, Reply>)>(
      [](auto handler, Method method, Request request, std::string token,
         std::chrono::milliseconds deadline) {
        struct Call {
          grpc::ClientContext context;
          Request request;
          Reply reply;
        };
        auto call = std::make_shared<Call>();
        call->request = std::move(request);
        call->context.set_deadline(std::chrono::system_clock::now() + deadline);
        call->context.AddMetadata("authorization", "Bearer " + token);
        auto ex = asio::get_associated_executor(handler);
        // gRPC wants a copyable callback; the completion handler is move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        method(&call->context, &call->request, &call->reply,
               [call, ex, shared](grpc::Status status) {
                 CallResult<Request, Reply> r{std::move(status), std::move(call->reply)};
                 asio::post(ex, [shared, r = std::move(r)]() mutable {
                   std::move(*shared)(std::move(r));
                 });
               });
      },
      asio::use_awaitable, std::move(method), std::move(request), std::move(token), deadline);
}

// What is left of a call's overall deadline (at least 1 ms, so a late endpoint still gets a
// real attempt that fails fast instead of none).
std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point end) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      end - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

bool try_next(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

// "keystore 127.0.0.1:7002 unavailable" / "... did not answer in time" / "...: NOT_FOUND ...".
std::string describe(const std::string& address, const grpc::Status& status) {
  const std::string who = "keystore " + address;
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE: return who + " unavailable";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return who + " did not answer in time";
    case grpc::StatusCode::UNAUTHENTICATED:
      return who + " refused the cluster token (cluster.token_file differs?)";
    default: break;
  }
  static const char* const names[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  const int code = static_cast<int>(status.error_code());
  const std::string name = code >= 0 && code <= 16 ? names[code] : std::to_string(code);
  return who + ": " + name + (status.error_message().empty() ? "" : " " + status.error_message());
}

}  // namespace

GrpcKeystoreClient::GrpcKeystoreClient(const std::vector<config::HostPort>& keystores,
                                       std::string cluster_token,
                                       std::chrono::milliseconds deadline)
    : token_(std::move(cluster_token)), deadline_(deadline) {
  for (const auto& k : keystores) {
    auto t = std::make_unique<Target>();
    t->address = k.to_string();
    t->stub = v1::Keystore::NewStub(process_channel(t->address));
    targets_.push_back(std::move(t));
  }
}

GrpcKeystoreClient::~GrpcKeystoreClient() = default;

std::unique_ptr<KeystoreClient> make_keystore_client(const config::Config& config) {
  bool needed = config.router.dkim.signing;
  for (const auto& [name, destination] : config.router.destinations) {
    if (const auto* smtp = std::get_if<config::SmtpDestination>(&destination.kind)) {
      needed = needed || !smtp->relay.credentials.empty();
    }
  }
  if (!needed) return nullptr;
  return std::make_unique<GrpcKeystoreClient>(config.cluster.keystores,
                                              config::load_or_create_cluster_token(config));
}

asio::awaitable<SignResult> GrpcKeystoreClient::sign(std::vector<DigestToSign> digests) {
  SignResult result;
  if (targets_.empty()) {
    result.error = "no keystores configured (cluster.keystores)";
    co_return result;
  }
  v1::SignRequest request;
  for (auto& d : digests) {
    auto* item = request.add_digests();
    item->set_domain(std::move(d.domain));
    item->set_selector(std::move(d.selector));
    item->set_digest(std::move(d.digest));
  }
  const auto end = std::chrono::steady_clock::now() + deadline_;
  for (const auto& t : targets_) {
    auto* async = t->stub->async();
    auto method = [async](grpc::ClientContext* c, const v1::SignRequest* q, v1::SignReply* r,
                          std::function<void(grpc::Status)> done) {
      async->Sign(c, q, r, std::move(done));
    };
    auto r = co_await call_once<v1::SignRequest, v1::SignReply>(method, request, token_,
                                                                 remaining(end));
    if (r.status.ok()) {
      for (auto& s : *r.reply.mutable_signatures()) {
        result.signatures.push_back({std::move(*s.mutable_algorithm()),
                                     std::move(*s.mutable_signature())});
      }
      result.ok = true;
      result.error.clear();
      co_return result;
    }
    if (!result.error.empty()) result.error += "; ";
    result.error += describe(t->address, r.status);
    if (!try_next(r.status.error_code())) break;
  }
  co_return result;
}

asio::awaitable<SecretResult> GrpcKeystoreClient::get_secret(std::string name) {
  SecretResult result;
  if (targets_.empty()) {
    result.error = "no keystores configured (cluster.keystores)";
    co_return result;
  }
  v1::SecretRef request;
  request.set_name(name);
  const auto end = std::chrono::steady_clock::now() + deadline_;
  for (const auto& t : targets_) {
    auto* async = t->stub->async();
    auto method = [async](grpc::ClientContext* c, const v1::SecretRef* q, v1::Secret* r,
                          std::function<void(grpc::Status)> done) {
      async->GetSecret(c, q, r, std::move(done));
    };
    auto r = co_await call_once<v1::SecretRef, v1::Secret>(method, request, token_,
                                                            remaining(end));
    if (r.status.ok()) {
      result.ok = true;
      result.username = r.reply.username();
      result.value = r.reply.value();
      result.error.clear();
      co_return result;
    }
    if (!result.error.empty()) result.error += "; ";
    result.error += describe(t->address, r.status);
    if (!try_next(r.status.error_code())) break;
  }
  co_return result;
}

}  // namespace postern::router::signing
