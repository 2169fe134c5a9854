// SMTP paths and mailboxes (RFC 5321 4.1.2, RFC 6531 for SMTPUTF8): a pure parser over bytes.
//
// SECURITY: input is untrusted client bytes. The parser never throws, never allocates more
// than the (capped) input, and accepts only what the grammar allows:
//   Path      = "<" [ A-d-l ":" ] Mailbox ">"     (the source route A-d-l is parsed and dropped)
//   Mailbox   = Local-part "@" ( Domain / address-literal )
//   Local-part= Dot-string / Quoted-string         (quoted form kept as sent; case preserved)
//   Domain    = sub-domain *("." sub-domain)       (returned lower-case, trailing dot stripped)
//   address-literal = "[" IPv4 "]" / "[IPv6:" IPv6 "]"
// UTF-8 (well-formed, non-ASCII) is allowed in local parts and domain labels only when the
// caller says SMTPUTF8 is in effect. Limits (RFC 5321 4.5.3.1): local part 64 octets, domain
// 255 octets, whole path 256 octets.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace postern::smtp::codec {

// A mailbox as the envelope carries it. The null reverse-path `<>` has both parts empty;
// the special recipient `<postmaster>` has local == "postmaster" and an empty domain.
struct Mailbox {
  std::string local;   // as sent: dot-string, or quoted-string including its quotes
  std::string domain;  // lower-case, no trailing dot; "[192.0.2.1]" / "[ipv6:...]" for literals

  bool null() const { return local.empty() && domain.empty(); }
  bool is_literal() const { return !domain.empty() && domain.front() == '['; }
  // "local@domain"; "" for the null path; "postmaster" for the bare postmaster.
  std::string to_string() const;
  bool operator==(const Mailbox&) const = default;
};

enum class PathKind {
  reverse,  // MAIL FROM: `<>` allowed
  forward,  // RCPT TO: `<postmaster>` (any case) allowed
};

enum class AddressError {
  none,
  syntax,           // not a Path at all
  local_too_long,   // > 64 octets
  domain_too_long,  // > 255 octets
  path_too_long,    // > 256 octets between and including the brackets
  non_ascii,        // UTF-8 without SMTPUTF8
};

struct PathResult {
  Mailbox mailbox;
  std::size_t consumed = 0;  // octets of `text` used, up to and including '>'
  AddressError error = AddressError::none;
  bool ok() const { return error == AddressError::none; }
};

// Parses a Path at the start of `text` (which must begin with '<'). Text after the closing
// '>' is not looked at; the caller checks what follows `consumed`.
PathResult parse_path(std::string_view text, PathKind kind, bool smtputf8);

// Domain (or address literal) validation, used for EHLO and by parse_path. Returns the
// normalised form (lower-case, trailing dot stripped) or "" when invalid.
std::string normalise_domain(std::string_view domain, bool allow_utf8, bool allow_literal);

// True when `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view s);

}  // namespace postern::smtp::codec
