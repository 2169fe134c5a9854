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

// A client's SASL response (an AUTH initial response or a continuation line), decoded:
// strict RFC 4648 base64 (common/encoding/base64.h), except that "=" alone is the empty
// response (RFC 4954 section 4) and an empty line is refused. nullopt when malformed.
std::optional<std::string> decode_response(std::string_view text);

// PLAIN message: [authzid] NUL authcid NUL passwd. An authzid other than empty or the
// authcid is refused (we do not support proxy authorisation). nullopt when malformed.
std::optional<Credentials> parse_plain(std::string_view decoded);

}  // namespace postern::edge
