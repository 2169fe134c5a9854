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
// Sign calls go through a SignCoalescer (sign_coalescer.h): concurrent messages share
// Keystore.Sign requests. GetSecret is one call per use, tried endpoint by endpoint.
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
#include "router/signing/sign_coalescer.h"

namespace postern::router::signing {

// Sign requests outstanding at once per client. Each request is signed on one keystore
// thread, so 2 keeps a 2-core keystore busy while letting requests grow large under load
// (bench/results/2026-11-29-dkim-sign.txt: 1..2 beat 4 and "no coalescing").
inline constexpr int kDefaultMaxSignInFlight = 2;

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
  std::shared_ptr<const KeystoreEndpoints> endpoints_;
  std::shared_ptr<SignCoalescer> coalescer_;  // shared with in-flight gRPC callbacks
  std::string token_;
  std::chrono::milliseconds deadline_;
};

// The router's keystore client: a GrpcKeystoreClient over cluster.keystores with the cluster
// token (config::load_or_create_cluster_token), or nullptr when the router needs no keystore
// (router.dkim.signing off and no relay destination names `credentials`). Throws
// std::runtime_error when the token file cannot be read or created.
std::unique_ptr<KeystoreClient> make_keystore_client(const config::Config& config);

}  // namespace postern::router::signing
