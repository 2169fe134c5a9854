// SASL message decoding for AUTH PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login):
// pure functions over the client's base64 text.
//
// SECURITY: input is untrusted and carries passwords: callers never log it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::edge {

struct Credentials {
  std::string username;
  std::string password;
};

// Strict RFC 4648 base64 (padding required, no whitespace). "=" alone decodes to "" (the
// RFC 4954 empty initial response). nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

// PLAIN message: [authzid] NUL authcid NUL passwd. An authzid other than empty or the
// authcid is refused (we do not support proxy authorisation). nullopt when malformed.
std::optional<Credentials> parse_plain(std::string_view decoded);

}  // namespace postern::edge
