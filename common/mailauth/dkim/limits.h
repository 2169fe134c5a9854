// Caps on untrusted DKIM input, in one place. Anything larger is a permerror with a reason,
// never an allocation proportional to what a sender chose.
#pragma once

#include <cstddef>
#include <cstdint>

namespace postern::mailauth::dkim {

// A tag list (DKIM-Signature field value or key record). A 4096-bit RSA key record is ~750
// octets and a long h= list a few hundred, so 8 KiB leaves room for any honest record.
inline constexpr std::size_t kMaxTagListBytes = 8 * 1024;
// Tags in one tag list: DKIM-Signature defines 14; the rest is room for extensions.
inline constexpr std::size_t kMaxTags = 32;
// Header names in one h= (oversigning doubles the usual dozen).
inline constexpr std::size_t kMaxSignedHeaders = 64;
// DKIM-Signature fields evaluated per message; later ones are counted as ignored.
inline constexpr std::size_t kMaxSignatures = 10;
// Decimal digits of t=, x= and l= (12 digits of seconds outlast any real clock; a body longer
// than 10^15 octets does not exist).
inline constexpr std::size_t kMaxNumberDigits = 15;
// Domain names (RFC 1035 2.3.4).
inline constexpr std::size_t kMaxDomainBytes = 253;
// Largest RSA key accepted from DNS: bounds verification cost per signature.
inline constexpr int kMaxRsaBits = 8192;

}  // namespace postern::mailauth::dkim
