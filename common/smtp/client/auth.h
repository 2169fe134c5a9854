// SASL client responses for AUTH PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login):
// pure (base64 itself is common/encoding/base64.h). The results contain credentials: never
// log them (common/log/log.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::smtp::client {

// base64("" NUL username NUL password): the initial response of "AUTH PLAIN <response>".
std::string auth_plain_response(std::string_view username, std::string_view password);

// Which mechanism to use from the server's list: PLAIN preferred, then LOGIN; nullopt if none.
std::optional<std::string> choose_auth_mechanism(const std::vector<std::string>& offered);

}  // namespace postern::smtp::client
