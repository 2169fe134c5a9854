// The authserv-id of an existing Authentication-Results field (RFC 8601 2.2, 2.5): a pure,
// capped parser.
//
// SECURITY: the field is untrusted sender input, and the answer decides whether a forged
// field survives (forged.h). The parser reads at most kMaxScanBytes of the value and nests
// comments at most kMaxCommentDepth deep; beyond that, or on an unterminated quote or comment,
// it returns nullopt (unparseable) and never guesses. No exceptions.
//
// Grammar read: [CFWS] value [CFWS [authres-version] [CFWS]] then ";" or the end, where value
// is an RFC 2045 token or a quoted-string (returned unescaped). Bytes >= 0x80 are accepted in
// a token (RFC 8616 UTF-8 ids). Whatever follows the id is not validated except for
// `well_formed`: true when the id is followed by the optional version and then ";" or the end.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace postern::mailauth::authres {

inline constexpr std::size_t kMaxScanBytes = 1024;
inline constexpr int kMaxCommentDepth = 8;

struct AuthservId {
  std::string id;                 // as written, unquoted; never empty
  std::optional<unsigned> version;  // authres-version when present
  bool well_formed = false;
};

// `value` is the field body after "Authentication-Results:" (folded or unfolded).
std::optional<AuthservId> parse_authserv_id(std::string_view value);

// RFC 8601 5: authserv-ids compare case-insensitively (we also ignore one trailing dot, as
// they are usually host names).
bool same_authserv_id(std::string_view a, std::string_view b);

}  // namespace postern::mailauth::authres
