#include "router/signing/grpc_keystore_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <atomic>
#include <deque>
#include <functional>
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

// ---- coalescing Sign requests (see the header) ----

using Clock = std::chrono::steady_clock;

// One sign() call waiting for its signatures.
struct SignWaiter {
  std::vector<DigestToSign> digests;
  Clock::time_point end;  // the call's deadline
  bool alone = false;     // sent in a request of its own
  std::function<void(SignResult)> complete;  // posts the result to the caller's executor
};

// One Keystore.Sign request: whole waiters, their digests in order.
struct SignBatch {
  std::vector<SignWaiter> members;
  v1::SignRequest request;
  Clock::time_point end;
  std::size_t target = 0;  // endpoint being tried
  std::string errors;      // one description per endpoint tried
};

struct GrpcKeystoreClient::Coalescer : std::enable_shared_from_this<Coalescer> {
  std::vector<std::unique_ptr<Target>> targets;
  std::string token;
  int max_in_flight = 1;
  std::atomic<std::uint64_t> requests_sent{0};

  std::mutex mu;
  std::deque<SignWaiter> queue;  // guarded by mu
  int in_flight = 0;             // guarded by mu

  void submit(SignWaiter w) {
    if (w.digests.empty() || w.digests.size() > kMaxDigestsPerRequest) w.alone = true;
    {
      std::lock_guard lock(mu);
      queue.push_back(std::move(w));
    }
    pump();
  }

  // Sends queued waiters while fewer than max_in_flight requests are outstanding.
  void pump() {
    for (;;) {
      auto batch = std::make_shared<SignBatch>();
      {
        std::lock_guard lock(mu);
        if (queue.empty() || in_flight >= max_in_flight) return;
        take_locked(*batch);
        ++in_flight;
      }
      start(std::move(batch));
    }
  }

  // The queue's head as one request: a lone waiter, or consecutive waiters that share.
  void take_locked(SignBatch& batch) {
    std::size_t total = 0;
    if (queue.front().alone) {
      batch.members.push_back(std::move(queue.front()));
      queue.pop_front();
    } else {
      while (!queue.empty() && !queue.front().alone &&
             total + queue.front().digests.size() <= kMaxDigestsPerRequest) {
        total += queue.front().digests.size();
        batch.members.push_back(std::move(queue.front()));
        queue.pop_front();
      }
    }
    batch.end = batch.members.front().end;
    for (auto& m : batch.members) {
      batch.end = std::min(batch.end, m.end);
      for (const auto& d : m.digests) {
        auto* item = batch.request.add_digests();
        item->set_domain(d.domain);
        item->set_selector(d.selector);
        item->set_digest(d.digest);
      }
    }
  }

  void start(std::shared_ptr<SignBatch> batch) {
    if (targets.empty()) {
      batch->errors = "no keystores configured (cluster.keystores)";
      fail_all(*batch);
      return done_one();
    }
    struct Call {
      grpc::ClientContext context;
      v1::SignReply reply;
    };
    auto call = std::make_shared<Call>();
    call->context.set_deadline(std::chrono::system_clock::now() + remaining(batch->end));
    call->context.AddMetadata("authorization", "Bearer " + token);
    ++requests_sent;
    const Target& t = *targets[batch->target];
    t.stub->async()->Sign(&call->context, &batch->request, &call->reply,
                          [self = shared_from_this(), batch, call](grpc::Status status) {
                            self->on_reply(batch, call->context, call->reply, status);
                          });
  }

  void on_reply(const std::shared_ptr<SignBatch>& batch, grpc::ClientContext& context,
                v1::SignReply& reply, const grpc::Status& status) {
    if (status.ok()) {
      deliver(*batch, reply);
      return done_one();
    }
    if (!batch->errors.empty()) batch->errors += "; ";
    batch->errors += describe(targets[batch->target]->address, status);
    if (try_next(status.error_code()) && batch->target + 1 < targets.size()) {
      ++batch->target;
      return start(batch);
    }
    if (batch->members.size() == 1 || try_next(status.error_code()) ||
        status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
      fail_all(*batch);  // the same answer for every member: no point re-sending
      return done_one();
    }
    requeue_split(*batch, failed_digest(context, batch->request.digests_size()));
    done_one();
  }

  // The failing digest's index from the keystore's trailer, or -1.
  static int failed_digest(grpc::ClientContext& context, int digests) {
    const auto& trailers = context.GetServerTrailingMetadata();
    const auto it = trailers.find(kFailedDigestTrailer);
    if (it == trailers.end()) return -1;
    int index = 0;
    for (char c : it->second) {
      if (c < '0' || c > '9' || index > digests) return -1;
      index = index * 10 + (c - '0');
    }
    return it->second.empty() || index >= digests ? -1 : index;
  }

  // A shared request failed for one member (`failed` digest index) or for an unknown one
  // (-1): the culprit(s) go alone, first; the others go back together, ahead of later calls.
  void requeue_split(SignBatch& batch, int failed) {
    std::vector<SignWaiter> alone;
    std::vector<SignWaiter> together;
    int first = 0;
    for (auto& m : batch.members) {
      const int count = static_cast<int>(m.digests.size());
      if (failed < 0 || (failed >= first && failed < first + count)) {
        m.alone = true;
        alone.push_back(std::move(m));
      } else {
        together.push_back(std::move(m));
      }
      first += count;
    }
    std::lock_guard lock(mu);
    for (auto it = together.rbegin(); it != together.rend(); ++it) {
      queue.push_front(std::move(*it));
    }
    for (auto it = alone.rbegin(); it != alone.rend(); ++it) queue.push_front(std::move(*it));
  }

  void deliver(SignBatch& batch, v1::SignReply& reply) {
    const int total = batch.request.digests_size();
    if (reply.signatures_size() != total) {
      batch.errors = "keystore " + targets[batch.target]->address + " returned " +
                     std::to_string(reply.signatures_size()) + " signatures for " +
                     std::to_string(total) + " digests";
      return fail_all(batch);
    }
    int next = 0;
    for (auto& m : batch.members) {
      SignResult r;
      r.ok = true;
      r.signatures.reserve(m.digests.size());
      for (std::size_t i = 0; i < m.digests.size(); ++i, ++next) {
        auto* s = reply.mutable_signatures(next);
        r.signatures.push_back({std::move(*s->mutable_algorithm()),
                                std::move(*s->mutable_signature())});
      }
      m.complete(std::move(r));
    }
  }

  static void fail_all(SignBatch& batch) {
    for (auto& m : batch.members) {
      SignResult r;
      r.error = batch.errors;
      m.complete(std::move(r));
    }
  }

  // A request is finished (answered, failed for good, or split and re-queued).
  void done_one() {
    {
      std::lock_guard lock(mu);
      --in_flight;
    }
    pump();
  }
};

GrpcKeystoreClient::GrpcKeystoreClient(const std::vector<config::HostPort>& keystores,
                                       std::string cluster_token,
                                       std::chrono::milliseconds deadline, int max_in_flight,
                                       const grpc_tls::ClusterChannels& channels)
    : coalescer_(std::make_shared<Coalescer>()), token_(std::move(cluster_token)),
      deadline_(deadline) {
  coalescer_->token = token_;
  coalescer_->max_in_flight = std::max(1, max_in_flight);
  for (const auto& k : keystores) {
    auto t = std::make_unique<Target>();
    t->address = k.to_string();
    t->stub = v1::Keystore::NewStub(channels.channel(t->address));
    coalescer_->targets.push_back(std::move(t));
  }
}

std::uint64_t GrpcKeystoreClient::sign_requests_sent() const {
  return coalescer_->requests_sent.load();
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
      [](auto handler, std::shared_ptr<Coalescer> coalescer, std::vector<DigestToSign> digests,
         Clock::time_point end) {
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
      asio::use_awaitable, coalescer_, std::move(digests), Clock::now() + deadline_);
}

asio::awaitable<SecretResult> GrpcKeystoreClient::get_secret(std::string name) {
  SecretResult result;
  const auto& targets = coalescer_->targets;
  if (targets.empty()) {
    result.error = "no keystores configured (cluster.keystores)";
    co_return result;
  }
  v1::SecretRef request;
  request.set_name(name);
  const auto end = std::chrono::steady_clock::now() + deadline_;
  for (const auto& t : targets) {
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
