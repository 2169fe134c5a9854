// The DKIM bundle: the file that moves DKIM private keys from one keystore (cluster) to another
// (`keymgmt export dkim ... --password | --recipient`, `keymgmt import credstore BUNDLE`).
//
// Plaintext, version 1 (big-endian integers; built and parsed in guarded memory only):
//   "postern/v1/dkim-bundle" 0x00   context, 23 bytes: binds what the bytes are, so a sealed
//                                    NEK or any other blob opened by the same password or
//                                    identity is refused as malformed, never imported
//   0x01                            plaintext version
//   count        2 bytes            1..kMaxBundleKeys entries, then for each:
//     domain     1-byte length + bytes (normalized, names.h)
//     selector   1-byte length + bytes (normalized, names.h)
//     created    8 bytes, unix seconds (two's complement), kept across transfer
//     key        2-byte length + PKCS#8 PrivateKeyInfo DER (dkim_key.h)
//   nothing after the last entry; the whole plaintext is at most kMaxSecretBytes (64 KiB:
//   about 25 RSA-4096 or several hundred Ed25519 keys; export per domain beyond that).
//
// Protection (a): a password. Argon2id v1.3 (crypto_pwhash) with a random 16-byte salt gives
// 48 bytes: the XChaCha20-Poly1305 key, then a 16-byte password check, exactly as
// password_wrap.h (limits stored, and bounded to INTERACTIVE..SENSITIVE on import so a crafted
// file cannot demand unbounded memory or time).
//   "PKDP"      magic, 4 bytes
//   0x01        format version
//   0x01        KDF: Argon2id v1.3
//   opslimit    8 bytes
//   memlimit    8 bytes
//   salt        16 bytes
//   check       16 bytes
//   nonce       24 bytes
//   ciphertext  plaintext + 16-byte tag; the 78 header bytes before it are associated data
// Protection (b): a recipient keystore. The plaintext sealed with seal_for() for the
// recipient's identity public key (identity.h, "PKBX"), opened only by Identity::open_sealed:
//   "PKDR"      magic, 4 bytes
//   0x01        format version
//   sealed      the identity.h sealed blob
//
// Errors: malformed (not a bundle, truncated, trailing bytes, a bad entry, a blob that is not
// a bundle inside), unsupported_version, invalid_argument (no or bad password, Argon2id limits
// out of range, bad recipient key, too many keys), wrong_password, tampered (right password,
// altered contents), authentication_failed (a recipient bundle sealed for another identity, or
// altered: the seal cannot tell those apart), resource.
//
// SECURITY: bundle files are untrusted input from another cluster or an admin's disk: every
// length is checked before use, parsing never throws, and nothing partial is returned. Key
// bytes exist only in SecretBytes and in views into it; no message names key bytes. The file
// itself is public (encrypted and authenticated): safe to store and send.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "keystore/identity.h"
#include "keystore/password_wrap.h"
#include "keystore/result.h"
#include "keystore/secret_bytes.h"

namespace postern::keystore {

inline constexpr std::size_t kMaxBundleKeys = 4096;

// One key in a bundle. The views point into the caller's memory: for encode, wherever the
// caller holds them; for parse, into the plaintext (keep its SecretBytes::View alive).
struct BundleEntry {
  std::string_view domain;
  std::string_view selector;
  int64_t created_unix = 0;
  std::string_view der;  // PKCS#8 PrivateKeyInfo
};

enum class BundleKind { password, recipient };

// The plaintext for `entries` (1..kMaxBundleKeys, normalized names, DER 1..65535 bytes), in
// guarded memory; invalid_argument when it does not fit the format.
Result<SecretBytes> encode_bundle(const std::vector<BundleEntry>& entries);

// The entries of `plaintext`, with views into it; malformed / unsupported_version otherwise.
// Entries are checked for shape (names normalized, no (domain, selector) twice, DER
// non-empty), not parsed as keys.
Result<std::vector<BundleEntry>> parse_bundle(std::string_view plaintext);

// (a) The plaintext protected by `password` (1..kMaxPasswordBytes), limits as in
// password_wrap.h.
Result<std::string> protect_bundle_with_password(const SecretBytes& plaintext,
                                                 std::string_view password,
                                                 PasswordLimits limits = PasswordLimits::moderate());
// (b) The plaintext sealed for the identity whose raw 32-byte public key is given.
Result<std::string> protect_bundle_for(std::string_view recipient_public_key,
                                       const SecretBytes& plaintext);

// Which protection `file` uses, from its magic and version.
Result<BundleKind> bundle_kind(std::string_view file);

// The plaintext of a bundle file: password bundles use `password` (invalid_argument when it is
// empty), recipient bundles `identity`. The plaintext is not yet parsed (parse_bundle).
Result<SecretBytes> open_bundle(std::string_view file, std::string_view password,
                                const Identity& identity);

}  // namespace postern::keystore
