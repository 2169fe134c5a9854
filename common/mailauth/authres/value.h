// RFC 8601 values: how a method result, property or authserv-id value is written.
//
// Contract (RFC 8601 2.2, RFC 2045 5.1): a value that is an RFC 2045 token is written as is;
// so is a domain name or a "local-part@domain" (the pvalue forms RFC 8601 allows unquoted);
// anything else becomes a quoted-string with '"' and '\' escaped. Control characters (CR, LF,
// NUL, ...) can never appear in a header, so they are dropped. An empty value is "".
#pragma once

#include <string>
#include <string_view>

namespace postern::mailauth::authres {

// RFC 2045 token: 1*<any US-ASCII CHAR except SPACE, CTLs, or tspecials>.
bool is_token(std::string_view s);

std::string format_value(std::string_view value);

}  // namespace postern::mailauth::authres
