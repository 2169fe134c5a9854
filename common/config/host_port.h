// "host:port" as written in postern.yaml. Pure function.
//
// Accepted: "name:25", "192.0.2.1:25", "[2001:db8::1]:25"; without ":port" only when the
// caller supplies a default port (dns.servers default 53, relay hosts default 25). An IPv6
// address must be in brackets (a bare "::1:25" is ambiguous). Host names are lower-cased and
// limited to letters, digits, '.', '-' and '_'. Port range 1-65535.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/config/config.h"
#include "common/config/parsed.h"

namespace postern::config {

Parsed<HostPort> parse_host_port(std::string_view text,
                                 std::optional<uint16_t> default_port = std::nullopt);

}  // namespace postern::config
