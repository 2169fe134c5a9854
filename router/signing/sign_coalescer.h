// SignCoalescer: concurrent sign() calls of many messages share Keystore.Sign requests
// (issue 3, signing throughput; bench/results/2026-11-29-dkim-sign.txt).
//
// Contract:
// - At most `max_in_flight` Sign requests are outstanding; a call that arrives while that
//   many are in flight waits in a FIFO queue, and each time a request completes the queue's
//   head is sent as ONE request of whole messages (never a message split across requests, at
//   most kMaxDigestsPerRequest digests). At low load a call is therefore sent at once (no
//   timer, no added latency); under load requests carry many digests, which is what makes
//   the per-request gRPC cost small next to signing.
// - Each waiter gets exactly its own signatures, in order, through its `complete` callback
//   (called once, on a gRPC thread or the submitting thread). A request's deadline is the
//   earliest of its members' deadlines.
// - Endpoints are tried in order; a request moves on only as try_next_endpoint() says.
// - Sign is all-or-nothing per request, so when a shared request fails for one message (the
//   keystore names the failing digest's index in the trailer kFailedDigestTrailer) that
//   message is re-sent alone - and gets exactly the error it would have had on its own -
//   while the others are re-sent together, ahead of later calls; without the trailer (an
//   older keystore) every member is re-sent alone. Failures that are the same for every
//   member (keystore unreachable or too slow on every endpoint, cluster token refused) fail
//   all members at once, without retries.
// - A waiter with 0 or more than kMaxDigestsPerRequest digests is always sent alone (and the
//   keystore refuses it).
// Thread-safe. Held by shared_ptr: in-flight gRPC callbacks keep it alive.
//
// SECURITY: every request carries "authorization: Bearer <cluster token>"; the token never
// appears in errors.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "router/signing/keystore_client.h"
#include "router/signing/keystore_endpoint.h"

namespace postern::router::signing {

// Keystore.Sign takes 1..64 digests per request (proto/postern/v1/keystore.proto).
inline constexpr std::size_t kMaxDigestsPerRequest = 64;
// Trailing metadata of a failed Sign: the 0-based index of the digest that failed
// (keystore/service/signing_service.h sets it).
inline constexpr char kFailedDigestTrailer[] = "postern-failed-digest";

using KeystoreEndpoints = std::vector<KeystoreEndpoint>;

// One sign() call waiting for its signatures.
struct SignWaiter {
  std::vector<DigestToSign> digests;
  std::chrono::steady_clock::time_point end;  // the call's deadline
  std::function<void(SignResult)> complete;   // called once with the outcome
  bool alone = false;                         // sent in a request of its own
};

class SignCoalescer : public std::enable_shared_from_this<SignCoalescer> {
 public:
  // `max_in_flight` >= 1 (values below are taken as 1).
  SignCoalescer(std::shared_ptr<const KeystoreEndpoints> endpoints, std::string token,
                int max_in_flight);

  void submit(SignWaiter waiter);

  // Keystore.Sign requests sent so far (every attempt, failovers and re-sends included).
  std::uint64_t requests_sent() const { return requests_sent_.load(); }

 private:
  struct Batch;
  void pump();
  void take_locked(Batch& batch);
  void start(std::shared_ptr<Batch> batch);
  void on_reply(const std::shared_ptr<Batch>& batch, grpc::ClientContext& context,
                v1::SignReply& reply, const grpc::Status& status);
  void requeue_split(Batch& batch, int failed);
  void deliver(Batch& batch, v1::SignReply& reply);
  static void fail_all(Batch& batch);
  void done_one();

  std::shared_ptr<const KeystoreEndpoints> endpoints_;
  std::string token_;
  int max_in_flight_;
  std::atomic<std::uint64_t> requests_sent_{0};

  std::mutex mu_;
  std::deque<SignWaiter> queue_;  // guarded by mu_
  int in_flight_ = 0;             // guarded by mu_
};

}  // namespace postern::router::signing
