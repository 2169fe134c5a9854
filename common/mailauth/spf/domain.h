// Domain names as SPF uses them: pure checks and transformations, no DNS.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::spf {

// RFC 7208 4.3: is `domain` something check_host() can evaluate? False for an empty name, a
// domain literal ("[192.0.2.1]"), a single label ("localhost"), an empty label ("a..b"), a
// label over 63 octets, a name over 253 octets (one trailing dot allowed), and any octet
// outside visible ASCII. check_host() returns "none" for such a domain without a query.
bool is_checkable_domain(std::string_view domain);

// RFC 7208 7.3 / 4.8: the DNS query name for an expanded domain-spec: one trailing dot
// removed, then, while longer than 253 octets, the leftmost label removed. nullopt when the
// result is not a usable DNS name (empty, empty label, label over 63, NUL): the caller treats
// the name as non-existent.
std::optional<std::string> to_query_name(std::string_view expanded);

// True when `name` equals `domain` or is a subdomain of it (ASCII case-insensitive; a
// trailing dot on either is ignored). Used by the ptr mechanism and %{p}.
bool is_within(std::string_view name, std::string_view domain);

std::string to_lower(std::string_view);

}  // namespace postern::spf
