// The etcd backend's key layout, pure (no gRPC): how a Store entry (kind, name) is named in
// etcd's flat, bytewise-ordered key space.
//
// Layout: PREFIX KIND "/" HEX(NAME), HEX lowercase, two digits per byte. Kinds are
// [a-z0-9-] (store.h), so the "/" after KIND ends it unambiguously and "dkim/" never matches
// "dkim-old/"; hex keeps names with 0x00 or high bytes printable in etcdctl and, being
// fixed-width per byte over an ordered alphabet, keeps bytewise name order as key order, so
// a prefix Range returns names already sorted. A 1024-byte name makes a 2048-byte key tail.
//
// PREFIX (default "/postern/keystore/") is 1..256 bytes of printable ASCII without spaces,
// ending in "/". Two stores with prefixes where one extends the other ("/a/" and "/a/b/")
// would see each other's entries: give each keystore cluster its own disjoint prefix.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::keystore::etcd_keys {

inline constexpr std::string_view kDefaultPrefix = "/postern/keystore/";
inline constexpr std::size_t kMaxPrefixBytes = 256;

// "" when `prefix` is acceptable, else the reason.
std::string check_prefix(std::string_view prefix);

// PREFIX KIND "/" HEX(NAME). Kind and name are not checked here (check_store_key is).
std::string entry_key(std::string_view prefix, std::string_view kind, std::string_view name);
// PREFIX KIND "/": every entry of one kind has it.
std::string kind_prefix(std::string_view prefix, std::string_view kind);
// The end of the etcd range [key_prefix, end) holding every key starting with key_prefix:
// key_prefix with its last byte below 0xff incremented and the rest dropped; "\0" (etcd's
// "to the end of the key space") when every byte is 0xff or key_prefix is empty.
std::string prefix_range_end(std::string_view key_prefix);

struct DecodedKey {
  std::string kind;
  std::string name;
};
// The (kind, name) of an etcd key under `prefix`, or nullopt when the key is not of this
// layout (another prefix, an invalid kind, odd-length, upper-case or non-hex name digits, an
// empty or over-long name): such keys were not written by this backend and are ignored.
std::optional<DecodedKey> decode_key(std::string_view prefix, std::string_view key);

}  // namespace postern::keystore::etcd_keys
