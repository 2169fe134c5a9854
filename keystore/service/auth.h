// Bearer-token authentication of the keystore's gRPC calls (proto/postern/v1/keystore.proto).
//
// Keystore (Sign, GetSecret) takes the cluster token, KeyManagement the admin token; both are
// presented as metadata "authorization: Bearer <token>".
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

namespace postern::keystore::service {

// True when `metadata_value` is exactly "Bearer <token>"; an empty `token` matches nothing
// (the shared check, common/auth/bearer_token.h).
using postern::auth::bearer_token_matches;

// The call's token check: true when its "authorization" metadata carries `token`; otherwise
// logs a warning naming `service` and the peer, and returns false.
class TokenCheck {
 public:
  // `service` names the service in the refusal log line ("Keystore", "KeyManagement").
  TokenCheck(std::string service, std::string token)
      : service_(std::move(service)), token_(std::move(token)) {}

  bool authorized(const grpc::CallbackServerContext& context) const;

 private:
  std::string service_;
  std::string token_;
};

// The status of a refused call; it says which token, never what was presented.
grpc::Status unauthenticated(std::string_view which_token);

}  // namespace postern::keystore::service
