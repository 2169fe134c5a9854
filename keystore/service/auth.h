// Authentication of the keystore's gRPC calls (proto/postern/v1/keystore.proto), over the
// shared decision in common/auth (authorization.h, grpc_authorizer.h).
//
// Keystore (Sign, GetSecret) takes the cluster token or, with cluster.tls, a client
// certificate named in cluster.tls.routers; KeyManagement takes the admin token or a client
// certificate named in admin.tls_clients. Tokens are presented as metadata
// "authorization: Bearer <token>".
//
// SECURITY: the metadata value is untrusted. It is compared in constant time: SHA-256 of both
// sides, then CRYPTO_memcmp, so neither the token's content nor its length leaks through
// timing (common/auth/bearer_token.h). The check runs before a request field is read. Tokens
// are never logged; a refusal logs the service and the peer address only.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>
#include <string_view>
#include <utility>

#include "common/auth/bearer_token.h"
#include "common/auth/grpc_authorizer.h"

namespace postern::keystore::service {

// True when `metadata_value` is exactly "Bearer <token>"; an empty `token` matches nothing
// (the shared check, common/auth/bearer_token.h).
using postern::auth::bearer_token_matches;

// The call's check: true when its token or verified client certificate is allowed by the
// rule; otherwise logs a warning naming `service` and the peer, and returns false.
class TokenCheck {
 public:
  // `service` names the service in the refusal log line ("Keystore", "KeyManagement").
  // Token only:
  TokenCheck(std::string service, std::string token)
      : TokenCheck(std::move(service), auth::CallerRule{std::move(token), {}, {}}) {}
  // Token or client certificate (auth::admin_callers / auth::cluster_callers):
  TokenCheck(std::string service, auth::CallerRule callers)
      : check_("keystore", std::move(service), std::move(callers)) {}

  bool authorized(const grpc::CallbackServerContext& context) const {
    return check_.authorized(context);
  }

  // The status of a refused call: which token (and, when certificates may stand in, which
  // config key lists them), never what was presented.
  grpc::Status refusal(std::string_view which_token) const {
    return auth::unauthenticated(check_.rule(), which_token);
  }

 private:
  auth::CallAuthorizer check_;
};

}  // namespace postern::keystore::service
