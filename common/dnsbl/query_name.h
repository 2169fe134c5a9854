// DNSxL query names (RFC 5782 2.1, 2.4): pure.
//
// Contract: query_name() builds the name to look up for a client address in a zone: the four
// octets reversed for IPv4 ("2.0.0.127.zen.spamhaus.org" for 127.0.0.2), the 32 nibbles of the
// full address reversed for IPv6 (RFC 5782 2.4: "b.a.9.8...1.0.0.2.zone", never compressed).
// An IPv4-mapped IPv6 client ("::ffff:192.0.2.1") is queried as its IPv4 address: that is the
// address the lists know. The unspecified address and malformed text give nullopt.
//
// normalize_zone() turns a configured zone into the form used in query names and logs:
// lowercase, no trailing dot, every label 1-63 octets of [a-z0-9-_], at most 200 octets in all
// (room for the 64-octet IPv6 prefix within the 253-octet name limit). Bad zones get a reason.
//
// SECURITY: the client address comes from the TCP peer (not from the SMTP dialogue), but the
// text overload may be handed anything: it parses strictly and never builds a name from
// unparsed input.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace postern::dnsbl {

inline constexpr std::size_t kMaxZoneLength = 200;

// The zone must already be normalized (normalize_zone).
std::optional<std::string> query_name(const boost::asio::ip::address& client,
                                      std::string_view zone);
std::optional<std::string> query_name(std::string_view client_ip, std::string_view zone);

struct ZoneParse {
  std::optional<std::string> zone;  // normalized
  std::string error;                // why, when !zone
};
ZoneParse normalize_zone(std::string_view zone);

}  // namespace postern::dnsbl
