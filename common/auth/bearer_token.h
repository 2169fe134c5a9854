// The bearer-token check shared by every gRPC service that takes a token (the keystore's
// Keystore and KeyManagement services, the router's QueueAdmin): the caller looks up the
// call's "authorization" metadata and asks whether it is exactly "Bearer <token>".
//
// SECURITY: the metadata value is untrusted. It is compared in constant time: SHA-256 of both
// sides, then CRYPTO_memcmp, so neither the token's content nor its length leaks through
// timing. The scheme is matched case-sensitively ("Bearer " exactly). An empty configured
// token matches nothing, so a missing token file can never open a service. Neither value is
// logged or copied here.
#pragma once

#include <string_view>

namespace postern::auth {

// True when `metadata_value` is exactly "Bearer <token>". An empty `token` matches nothing.
bool bearer_token_matches(std::string_view metadata_value, std::string_view token);

}  // namespace postern::auth
