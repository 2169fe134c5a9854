// Address blocks for edge.inbound (trusted_networks, skip_hosts): a pure parser and matcher.
//
// Contract: parse_cidr() accepts "192.0.2.0/24", "2001:db8::/32" and a bare address (a /32 or
// /128); host bits set below the prefix are an error (a typo like 192.0.2.1/24 is more likely
// meant as something else than silently widened). An IPv4 client seen as IPv4-mapped IPv6
// ("::ffff:192.0.2.1") matches IPv4 blocks. No exceptions; no DNS names.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::config {

struct Cidr {
  bool v6 = false;
  std::array<uint8_t, 16> network{};  // IPv4 uses the first 4 bytes
  int prefix = 0;                     // 0-32 (v4) or 0-128 (v6)
  std::string to_string() const;      // canonical "192.0.2.0/24"
  bool operator==(const Cidr&) const = default;
};

struct CidrParse {
  std::optional<Cidr> cidr;
  std::string error;  // set when !cidr: why, for the config error message
};

CidrParse parse_cidr(std::string_view text);

// True when the textual address `ip` lies in `block`. An unparseable `ip` matches nothing.
bool cidr_contains(const Cidr& block, std::string_view ip);
bool any_contains(const std::vector<Cidr>& blocks, std::string_view ip);

}  // namespace postern::config
