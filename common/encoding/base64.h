// base64 (RFC 4648 section 4, the standard alphabet with "=" padding): one implementation for
// SMTP AUTH on both sides (edge SASL decoding, the SMTP client's AUTH responses).
//
// Contract: pure functions over bytes (no I/O, no exceptions, no locale). The decoder is total
// over untrusted input: anything that is not canonical padded base64 yields nullopt, never a
// partial result. Callers cap the input length (the SMTP line limit does for AUTH).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::encoding {

// Padded base64 of `bytes`; "" for "". Output length is 4 * ceil(n / 3).
std::string base64_encode(std::string_view bytes);

// Strict decoding: the length is a multiple of 4, only the 64 alphabet characters, "=" only as
// the last one or two characters, no whitespace or line breaks. "" decodes to "".
// Non-zero bits under the padding ("Zh==") are accepted, as RFC 4648 section 3.5 permits;
// nothing here depends on the encoding being unique.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace postern::encoding
