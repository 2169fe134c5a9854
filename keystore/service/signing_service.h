// gRPC adapter for postern.v1.Keystore: the signing oracle (Sign) and secret reads
// (GetSecret), used by routers with the cluster token.
//
// Sign runs on the gRPC callback thread that received the call: the vault's sign() takes no
// exclusive lock once a key is cached, so concurrent calls sign in parallel on gRPC's threads
// (no queue hop, no global lock). A request holds 1..kMaxDigestsPerSign digests; they are
// signed in order and a failure fails the whole call with a message naming the digest's index
// and key, so a router never gets a partial set of signatures for one message. The failing
// digest's 0-based index is also sent as trailing metadata kFailedDigestTrailer, so a router
// that packed several messages into one request (router/signing/sign_coalescer.h) can
// re-send only the failing message alone and the others together.
//
// SECURITY: every call is refused with UNAUTHENTICATED before its fields are read unless it
// carries the cluster token (auth.h). Requests are untrusted: domain, selector and digest are
// checked by the vault. Nothing is logged per signature (the hot path); failures are logged
// with the key's name only. GetSecret's reply holds a secret value: it is wiped when gRPC is
// done with the reply, and it is never logged.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <string>

#include "keystore/service/auth.h"
#include "keystore/vault.h"
#include "postern/v1/keystore.grpc.pb.h"

namespace postern::keystore::service {

inline constexpr int kMaxDigestsPerSign = 64;
// Trailing metadata of a Sign that failed on one digest: its 0-based index, in decimal. Same
// name as router/signing/sign_coalescer.h's (the router reads it).
inline constexpr char kFailedDigestTrailer[] = "postern-failed-digest";

class SigningService final : public postern::v1::Keystore::CallbackService {
 public:
  // `cluster_token` must not be empty (an empty token refuses every call, by design).
  SigningService(KeyVault& vault, std::string cluster_token)
      : vault_(vault), auth_("Keystore", std::move(cluster_token)) {}
  // The cluster token or, with cluster.tls, a certificate named in cluster.tls.routers
  // (auth::cluster_callers).
  SigningService(KeyVault& vault, auth::CallerRule callers)
      : vault_(vault), auth_("Keystore", std::move(callers)) {}

  grpc::ServerUnaryReactor* Sign(grpc::CallbackServerContext* context,
                                 const postern::v1::SignRequest* request,
                                 postern::v1::SignReply* reply) override;
  grpc::ServerUnaryReactor* GetSecret(grpc::CallbackServerContext* context,
                                      const postern::v1::SecretRef* request,
                                      postern::v1::Secret* reply) override;

 private:
  KeyVault& vault_;
  TokenCheck auth_;
};

// The Sign reply for `request`, or the status that fails the call (pure over the vault; the
// service's logic, exposed for tests). When a digest fails, `failed_digest` (if given) is set
// to its index; it is left alone otherwise.
grpc::Status sign_all(KeyVault& vault, const postern::v1::SignRequest& request,
                      postern::v1::SignReply* reply, int* failed_digest = nullptr);

}  // namespace postern::keystore::service
