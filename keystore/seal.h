// Sealed credential-store entries: XChaCha20-Poly1305 (IETF) under a NEK, with associated data
// that binds the entry's kind and name, so a sealed entry copied into another entry's slot
// (another domain's DKIM key, another secret) fails to open instead of being used.
//
// Byte format, version 1 (what storage holds; all of it is public):
//   "PKSE"  magic, 4 bytes
//   0x01    format version, 1 byte
//   nonce   24 bytes, random per seal (XChaCha's nonce is large enough to be random)
//   ct      ciphertext followed by the 16-byte Poly1305 tag (plaintext 1..kMaxSecretBytes)
// Associated data, version 1: "postern/v1/" KIND 0x00 NAME. KIND is a lowercase token
// ([a-z0-9-], 1..32) and never contains 0x00, so the split is unambiguous; NAME is any
// 1..kMaxEntryNameBytes bytes chosen by the caller, e.g. for a DKIM key "martdj.nl" 0x00
// "ed20240705" (domain, NUL, selector).
//
// Contract: open() returns the whole plaintext in guarded memory or an Error, never partial
// output; any flipped byte, a wrong NEK, or another kind/name gives authentication_failed;
// truncation, a bad magic or version give malformed/unsupported_version. Pure apart from the
// random nonce: no I/O, no exceptions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "keystore/nek.h"
#include "keystore/result.h"
#include "keystore/secret_bytes.h"

namespace postern::keystore {

inline constexpr std::size_t kMaxEntryKindBytes = 32;
inline constexpr std::size_t kMaxEntryNameBytes = 1024;

struct EntryId {
  std::string_view kind;  // "dkim", "secret", ...
  std::string_view name;  // unique within the kind
};

// The associated data for `id` (exposed for tests and documentation); the id is not checked.
std::string entry_associated_data(const EntryId& id);

// Seals `plaintext` (1..kMaxSecretBytes bytes) for entry `id`. The caller wipes its plaintext.
Result<std::string> seal(const Nek& nek, const EntryId& id, std::string_view plaintext);

// Opens `sealed` as entry `id`.
Result<SecretBytes> open(const Nek& nek, const EntryId& id, std::string_view sealed);

}  // namespace postern::keystore
