// The plaintexts the KeyVault seals into its Store entries (vault.h gives the layout of kinds
// and names; seal.h the sealing). Pure codecs: secret-bearing plaintexts are built straight
// into guarded memory and parsed as views into the caller's guarded buffer.
//
// Formats, version 1 (big-endian integers):
//   dkim       0x01, created unix seconds (8 bytes, two's complement), PKCS#8 DER (the rest,
//              1..kMaxSecretBytes-9 bytes)
//   secret     0x01, updated unix seconds (8 bytes), username length (2 bytes), username
//              (0..kMaxSecretUsernameBytes), value (the rest, 1..kMaxSecretValueBytes)
//   credstore  0x01, the name of the NEK that seals the entries (nek.h rules)
// Parsing returns malformed / unsupported_version for anything else.
//
// NEK entry names (kind "nek"; the value is the NEK wrapped by one identity, identity.h):
//   OWNER 0x00 NEKNAME   OWNER is the lowercase hex of the first 8 bytes of the wrapping
//                        identity's public key (16 digits), so replicas with different
//                        identities sharing one Store each keep their own wrapping of a NEK.
//   NEKNAME              the legacy layout of single-identity keystores (before the cluster
//                        issue); NEK names are printable ASCII, so they never hold the 0x00.
// The wrapping's associated data binds the NEK name only (identity.h), so a legacy value is
// valid unchanged under the new name (how KeyVault::open migrates).
//
// SECURITY: the plaintexts hold private keys and secret values. They are input only after the
// AEAD check passed (seal.h), yet every length is still checked before use; DKIM and secret
// plaintexts exist only in SecretBytes and views into it; no message contains their bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "keystore/result.h"
#include "keystore/secret_bytes.h"

namespace postern::keystore {

inline constexpr std::size_t kMaxSecretUsernameBytes = 1024;
inline constexpr std::size_t kMaxSecretValueBytes = 16 * 1024;

struct DkimEntryView {
  int64_t created_unix = 0;
  std::string_view der;
};

struct SecretEntryView {
  int64_t updated_unix = 0;
  std::string_view username;
  std::string_view value;
};

Result<SecretBytes> encode_dkim_entry(int64_t created_unix, std::string_view der);
Result<DkimEntryView> parse_dkim_entry(std::string_view plaintext);

// invalid_argument when the username or value is out of range.
Result<SecretBytes> encode_secret_entry(int64_t updated_unix, std::string_view username,
                                        std::string_view value);
Result<SecretEntryView> parse_secret_entry(std::string_view plaintext);

// NEK entry names (above). nek_owner takes a raw 32-byte identity public key.
inline constexpr std::size_t kNekOwnerHexDigits = 16;
std::string nek_owner(std::string_view identity_public_key);
std::string nek_entry_name(std::string_view owner, std::string_view nek_name);
struct NekEntryName {
  std::string owner;  // "" for the legacy layout
  std::string nek;
};
// nullopt for a name of neither layout (a bad owner, an invalid NEK name).
std::optional<NekEntryName> parse_nek_entry_name(std::string_view entry);

// Not secret (a NEK name), but sealed all the same so it cannot be pointed at another NEK.
std::string encode_credstore_entry(std::string_view nek_name);
Result<std::string> parse_credstore_entry(std::string_view plaintext);

}  // namespace postern::keystore
