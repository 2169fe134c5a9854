// IP addresses as SPF sees them (RFC 7208 5 and 7.3): pure value type and helpers, no sockets.
//
// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4 address everywhere (RFC 7208 5,
// "IPv4-mapped IPv6 addresses ... MUST still be considered IPv4"): normalise() folds it, and
// every function here expects normalised input.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::spf {

struct Ip {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses bytes[0..3]
  friend bool operator==(const Ip&, const Ip&) = default;
};

// Strict literals: IPv4 as four decimal octets without leading zeros (RFC 7208 ip4-network);
// IPv6 as RFC 4291 text (inet_pton). The result is normalised (mapped IPv6 → IPv4).
std::optional<Ip> parse_ip4(std::string_view text);
std::optional<Ip> parse_ip6(std::string_view text);
std::optional<Ip> parse_ip(std::string_view text);  // either form

Ip normalise(const Ip&);

// True when `ip` and `network` are the same family and share the first `prefix` bits.
bool in_network(const Ip& ip, const Ip& network, int prefix);

// "192.0.2.1" / "2001:db8::1" (RFC 5952 compressed, lower case): the %{c} form.
std::string to_text(const Ip&);
// "192.0.2.1" / "1.0.0.0. ... .8.b.d.0.1.0.0.2" (dotted lower-case nibbles): the %{i} form.
std::string to_dotted(const Ip&);

}  // namespace postern::spf
