// Builds an Authentication-Results header field (RFC 8601 2.2) from plain values.
//
//   Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=example.net;
//   	dkim=pass header.d=example.net header.s=sel header.b="abcd/efg"; dmarc=pass
//   	header.from=example.net; iprev=pass policy.iprev=192.0.2.1
//
// Contract: the output is always one well-formed field ending in CRLF. Values are written by
// format_value() (token, domain, local@domain, else quoted-string). Method, result, ptype and
// property names are keywords: characters other than letters, digits, '-', '_' and '.' are
// dropped (they come from our code, never from a sender). Folding happens only between
// elements, before the one that would cross `fold_at` columns, with CRLF HTAB; an element
// longer than a line stands alone on its line. No results: "<authserv-id>; none".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mailauth::authres {

struct Property {
  std::string ptype;     // "smtp", "header", "body", "policy"
  std::string property;  // "mailfrom", "d", "s", "b", "from", "iprev"
  std::string value;
};

struct MethodResult {
  std::string method;  // "spf", "dkim", "dmarc", "iprev", ...
  std::string result;  // "pass", "fail", "temperror", ...
  std::string reason;  // optional: written as reason="..."
  std::vector<Property> properties;
};

struct AuthenticationResults {
  std::string authserv_id;  // ours: internet.hostname
  std::vector<MethodResult> results;
};

inline constexpr std::size_t kFoldColumn = 78;

// The whole field: "Authentication-Results: ...\r\n".
std::string format_field(const AuthenticationResults& ar, std::size_t fold_at = kFoldColumn);

// The usual methods (RFC 8601 2.7, RFC 7489 11.2).
MethodResult spf(std::string_view result, std::string_view mailfrom);  // smtp.mailfrom
// header.d, header.s, header.b (pass the first 8 or more characters of b=, RFC 6008).
MethodResult dkim(std::string_view result, std::string_view d, std::string_view s,
                  std::string_view b);
MethodResult dmarc(std::string_view result, std::string_view header_from);  // header.from
MethodResult iprev(std::string_view result, std::string_view ip);            // policy.iprev

}  // namespace postern::mailauth::authres
