#include "router/signing/grpc_keystore_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>

#include "postern/v1/keystore.grpc.pb.h"

namespace postern::router::signing {
namespace asio = boost::asio;

namespace {

// Channels: grpc_tls::ClusterChannels (process-lifetime, cluster.tls, short reconnect
// backoff so a keystore that was down is noticed again within seconds).

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

std::shared_ptr<const KeystoreEndpoints> make_endpoints(
    const std::vector<config::HostPort>& keystores, const grpc_tls::ClusterChannels& channels) {
  auto endpoints = std::make_shared<KeystoreEndpoints>();
  for (const auto& k : keystores) {
    KeystoreEndpoint e;
    e.address = k.to_string();
    e.stub = v1::Keystore::NewStub(channels.channel(e.address));
    endpoints->push_back(std::move(e));
  }
  return endpoints;
}

}  // namespace

GrpcKeystoreClient::GrpcKeystoreClient(const std::vector<config::HostPort>& keystores,
                                       std::string cluster_token,
                                       std::chrono::milliseconds deadline, int max_in_flight,
                                       const grpc_tls::ClusterChannels& channels)
    : endpoints_(make_endpoints(keystores, channels)),
      coalescer_(std::make_shared<SignCoalescer>(endpoints_, cluster_token, max_in_flight)),
      token_(std::move(cluster_token)),
      deadline_(deadline) {}

std::uint64_t GrpcKeystoreClient::sign_requests_sent() const {
  return coalescer_->requests_sent();
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
  return std::make_unique<GrpcKeystoreClient>(
      config.cluster.keystores, config::load_or_create_cluster_token(config),
      std::chrono::seconds(5), kDefaultMaxSignInFlight, grpc_tls::ClusterChannels(config));
}

// Not a coroutine (GCC 12): the initiation's arguments are passed to async_initiate.
asio::awaitable<SignResult> GrpcKeystoreClient::sign(std::vector<DigestToSign> digests) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(SignResult)>(
      [](auto handler, std::shared_ptr<SignCoalescer> coalescer,
         std::vector<DigestToSign> digests, std::chrono::steady_clock::time_point end) {
        auto ex = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        SignWaiter w;
        w.digests = std::move(digests);
        w.end = end;
        w.complete = [ex, shared](SignResult r) {
          asio::post(ex, [shared, r = std::move(r)]() mutable { std::move(*shared)(std::move(r)); });
        };
        coalescer->submit(std::move(w));
      },
      asio::use_awaitable, coalescer_, std::move(digests),
      std::chrono::steady_clock::now() + deadline_);
}

asio::awaitable<SecretResult> GrpcKeystoreClient::get_secret(std::string name) {
  SecretResult result;
  const KeystoreEndpoints& targets = *endpoints_;
  if (targets.empty()) {
    result.error = "no keystores configured (cluster.keystores)";
    co_return result;
  }
  v1::SecretRef request;
  request.set_name(name);
  const auto end = std::chrono::steady_clock::now() + deadline_;
  for (const auto& t : targets) {
    auto* async = t.stub->async();
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
    result.error += describe_failure(t.address, r.status);
    if (!try_next_endpoint(r.status.error_code())) break;
  }
  co_return result;
}

}  // namespace postern::router::signing
