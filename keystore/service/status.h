// How keystore errors (keystore/result.h Errc) become gRPC statuses, per the table in
// proto/postern/v1/keystore.proto's header:
//   invalid_argument, malformed, unsupported_version, wrong_password, tampered,
//   authentication_failed, unsupported_key -> INVALID_ARGUMENT (the error's message)
//   not_found -> NOT_FOUND; already_exists -> ALREADY_EXISTS
//   no_credstore -> FAILED_PRECONDITION, with the hint to create one
//   resource -> UNAVAILABLE
// Pure. The messages come from the keystore core, which never puts key material, passwords
// or plaintext in them, so they are safe to send to the caller and to log.
#pragma once

#include <grpcpp/support/status.h>

#include "keystore/result.h"

namespace postern::keystore::service {

inline constexpr const char* kNoCredstoreHint =
    "run posternctl keymgmt create credstore NEK";

grpc::StatusCode status_code_for(Errc code);
grpc::Status to_status(const Error& error);

}  // namespace postern::keystore::service
