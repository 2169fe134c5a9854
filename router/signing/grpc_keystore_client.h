// KeystoreClient over gRPC (postern.v1.Keystore) to cluster.keystores.
//
// Contract (keystore_client.h): endpoints are tried in the configured order; a call moves on
// to the next one only when the keystore could not be reached or did not answer in time
// (UNAVAILABLE, DEADLINE_EXCEEDED), since any other answer (NOT_FOUND, UNAUTHENTICATED, ...)
// would be the same elsewhere. Each call has ONE deadline (default 5 s) shared by all the
// endpoints it tries, so a call never outlasts the router's shutdown grace. Channels reconnect
// quickly after a keystore restart (reconnect backoff 0.5 s .. 5 s), so a message waiting for
// its signature proceeds within seconds of the keystore coming back. gRPC's callback API is
// bridged to Asio: the completion is posted to the awaiting coroutine's executor.
//
// Coalescing (issue 3, signing throughput): concurrent sign() calls from many messages share
// Keystore.Sign requests. At most `max_in_flight` Sign requests are outstanding; a call that
// arrives while that many are in flight waits in a FIFO queue, and each time a request
// completes the queue's head is sent as ONE request of whole messages (never a message split
// across requests, at most kMaxDigestsPerRequest digests). At low load a call is therefore
// sent at once (no timer, no added latency); under load requests carry many digests, which
// is what makes per-request gRPC cost small next to signing. Each caller gets exactly its own
// signatures, in order. A request's deadline is the earliest of its members' deadlines.
// Sign is all-or-nothing per request, so when a shared request fails for one message (the
// keystore names the failing digest's index in the trailer kFailedDigestTrailer) that message
// is re-sent alone - and gets exactly the error it would have had on its own - while the
// others are re-sent together; without the trailer (an older keystore) every member is
// re-sent alone. Failures that are the same for every member (keystore unreachable or too
// slow on every endpoint, cluster token refused) fail all members at once, without retries.
// A message with 0 or more than kMaxDigestsPerRequest digests is always sent alone (and the
// keystore refuses it, as before).
//
// SECURITY: every call carries "authorization: Bearer <cluster token>" (cluster.token_file).
// The token and secret values never appear in errors or logs. Channels come from
// `channels`: mTLS with this node's certificate when cluster.tls is set (make_keystore_client),
// else plaintext (loopback or a trusted cluster network).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/grpc_tls/channels.h"
#include "router/signing/keystore_client.h"

namespace postern::router::signing {

// Keystore.Sign takes 1..64 digests per request (proto/postern/v1/keystore.proto).
inline constexpr std::size_t kMaxDigestsPerRequest = 64;
// Sign requests outstanding at once per client. Each request is signed on one keystore
// thread, so 2 keeps a 2-core keystore busy while letting requests grow large under load
// (bench/results/2026-11-29-dkim-sign.txt: 1..2 beat 4 and "no coalescing").
inline constexpr int kDefaultMaxSignInFlight = 2;
// Trailing metadata of a failed Sign: the 0-based index of the digest that failed
// (keystore/service/signing_service.h sets it).
inline constexpr char kFailedDigestTrailer[] = "postern-failed-digest";

class GrpcKeystoreClient final : public KeystoreClient {
 public:
  // `max_in_flight` >= 1 (values below are taken as 1).
  GrpcKeystoreClient(const std::vector<config::HostPort>& keystores, std::string cluster_token,
                     std::chrono::milliseconds deadline = std::chrono::seconds(5),
                     int max_in_flight = kDefaultMaxSignInFlight,
                     const grpc_tls::ClusterChannels& channels = grpc_tls::ClusterChannels());
  ~GrpcKeystoreClient() override;

  boost::asio::awaitable<SignResult> sign(std::vector<DigestToSign> digests) override;
  boost::asio::awaitable<SecretResult> get_secret(std::string name) override;

  // Keystore.Sign requests sent so far (every attempt, failovers and re-sends included); for
  // the benchmark and tests. Thread-safe.
  std::uint64_t sign_requests_sent() const;

 private:
  struct Target;
  struct Coalescer;
  std::shared_ptr<Coalescer> coalescer_;  // shared with in-flight gRPC callbacks
  std::string token_;
  std::chrono::milliseconds deadline_;
};

// The router's keystore client: a GrpcKeystoreClient over cluster.keystores with the cluster
// token (config::load_or_create_cluster_token), or nullptr when the router needs no keystore
// (router.dkim.signing off and no relay destination names `credentials`). Throws
// std::runtime_error when the token file cannot be read or created.
std::unique_ptr<KeystoreClient> make_keystore_client(const config::Config& config);

}  // namespace postern::router::signing
