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
// SECURITY: every call carries "authorization: Bearer <cluster token>" (cluster.token_file).
// The token and secret values never appear in errors or logs. Channels are plaintext: use
// the keystore on loopback or, in a cluster, over mTLS (cluster issue).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "router/signing/keystore_client.h"

namespace postern::router::signing {

class GrpcKeystoreClient final : public KeystoreClient {
 public:
  GrpcKeystoreClient(const std::vector<config::HostPort>& keystores, std::string cluster_token,
                     std::chrono::milliseconds deadline = std::chrono::seconds(5));
  ~GrpcKeystoreClient() override;

  boost::asio::awaitable<SignResult> sign(std::vector<DigestToSign> digests) override;
  boost::asio::awaitable<SecretResult> get_secret(std::string name) override;

 private:
  struct Target;
  std::vector<std::unique_ptr<Target>> targets_;
  std::string token_;
  std::chrono::milliseconds deadline_;
};

// The router's keystore client: a GrpcKeystoreClient over cluster.keystores with the cluster
// token (config::load_or_create_cluster_token), or nullptr when the router needs no keystore
// (router.dkim.signing off and no relay destination names `credentials`). Throws
// std::runtime_error when the token file cannot be read or created.
std::unique_ptr<KeystoreClient> make_keystore_client(const config::Config& config);

}  // namespace postern::router::signing
