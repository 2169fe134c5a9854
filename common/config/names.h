// Domains, addresses and password hashes as written in postern.yaml. Pure functions.
//
// Domains are compared everywhere in lower case without a trailing dot, so they are stored
// that way. Internationalized domains must be written in A-label form (xn--...): routing and
// the SMTP dialogue compare ASCII, and an admin should see the form that is on the wire.
#pragma once

#include <string>
#include <string_view>

#include "common/config/parsed.h"

namespace postern::config {

// "Example.COM." -> "example.com". With allow_wildcard, also "*" and "*.example.com".
Parsed<std::string> normalize_domain(std::string_view text, bool allow_wildcard = false);

// "Martdj@MartDJ.nl" -> "Martdj@martdj.nl": the local part is kept as written (RFC 5321 says
// it may be case-sensitive), the domain is normalized.
Parsed<std::string> normalize_address(std::string_view text);

// True for a PHC string produced by Argon2id ("$argon2id$v=19$m=...,t=...,p=...$salt$hash").
bool looks_like_argon2id_hash(std::string_view text);

}  // namespace postern::config
