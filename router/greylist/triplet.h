// The greylisting triplet (client network, sender, recipient) and its parameters: validation,
// normalization and the store key. Pure.
//
// Contract:
//  - make_triplet() reduces the client address to its network (ipv4_prefix, default /24;
//    ipv6_prefix, default /64; an IPv4-mapped IPv6 address counts as IPv4), so the hosts of a
//    sending farm share one triplet; reducing an already reduced address changes nothing, so
//    an edge may send either. Sender and recipient are ASCII-lowercased (greylisting practice:
//    the same mail retried with other case is the same mail); the null sender is "".
//    Fields over kMaxAddressBytes or containing control characters are refused.
//  - store_key() is the SHA-256 of the normalized triplet with length-prefixed fields: a
//    fixed 32-octet key whatever the input (bounded key size), with no way for one field to
//    run into the next.
//  - validate() accepts parameters with 0 < delay < retry_window and expiry > 0, each at most
//    kMaxParamSeconds, and prefixes in range (0 meaning the default).
//
// SECURITY: sender and recipient come from the SMTP dialogue of an untrusted client (relayed
// by the edge); they are bounded, checked for control characters and only ever hashed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::router::greylist {

inline constexpr std::size_t kMaxAddressBytes = 512;
inline constexpr std::chrono::seconds kMaxParamSeconds{366LL * 24 * 3600};

struct Params {
  std::chrono::seconds delay{300};
  std::chrono::seconds retry_window{std::chrono::hours(48)};  // measured from the first attempt
  std::chrono::seconds expiry{std::chrono::hours(24 * 35)};   // after the last pass
  int ipv4_prefix = 24;
  int ipv6_prefix = 64;
};

// "" when the parameters are usable, else what is wrong.
std::string validate(const Params& params);

struct Triplet {
  std::string network;  // canonical "192.0.2.0/24" or "2001:db8:1:2::/64"
  std::string sender;
  std::string recipient;
  bool operator==(const Triplet&) const = default;
};

struct TripletParse {
  std::optional<Triplet> triplet;
  std::string error;  // why, when !triplet (never echoes the field's content)
};

TripletParse make_triplet(std::string_view client_address, std::string_view sender,
                          std::string_view recipient, int ipv4_prefix = 24, int ipv6_prefix = 64);

// 32 octets (binary).
std::string store_key(const Triplet& triplet);

}  // namespace postern::router::greylist
