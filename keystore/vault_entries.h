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
// SECURITY: the plaintexts hold private keys and secret values. They are input only after the
// AEAD check passed (seal.h), yet every length is still checked before use; DKIM and secret
// plaintexts exist only in SecretBytes and views into it; no message contains their bytes.
#pragma once

#include <cstddef>
#include <cstdint>
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

// Not secret (a NEK name), but sealed all the same so it cannot be pointed at another NEK.
std::string encode_credstore_entry(std::string_view nek_name);
Result<std::string> parse_credstore_entry(std::string_view plaintext);

}  // namespace postern::keystore
