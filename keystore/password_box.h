// The password box shared by the keystore's password-protected files (internal): the NEK file
// (password_wrap.h, "PNEK") and the password DKIM bundle (bundle.h, "PKDP"). Each format keeps
// its own documented byte layout; this unit owns only the part they have in common.
//
// Key derivation: Argon2id v1.3 (crypto_pwhash) over the password with a random 16-byte salt,
// 48 output bytes: the XChaCha20-Poly1305 key, then a 16-byte password check stored in the
// file. The check tells a wrong password apart from altered ciphertext; it costs an attacker
// one Argon2id evaluation per guess, the same as trying to decrypt.
//
// Layout (big-endian integers):
//   magic       4 bytes (the format's)
//   version     1 byte  (the format's)
//   0x01        KDF: Argon2id v1.3
//   opslimit    8 bytes
//   memlimit    8 bytes
//   salt        16 bytes
//   check       16 bytes
//   nonce       24 bytes                 (kPasswordBoxFixedBytes = 78 so far)
//   extras      the format's own header bytes (e.g. the NEK's name), possibly none
//   ciphertext  plaintext + 16-byte tag; everything before it is associated data
//
// Contract: seal returns the file or invalid_argument (password not 1..kMaxPasswordBytes,
// limits outside INTERACTIVE..SENSITIVE) / resource. open returns the extras (a view into the
// file) and the plaintext in guarded memory, or: invalid_argument (password size, limits
// outside INTERACTIVE..SENSITIVE, which stops a crafted file demanding unbounded memory),
// malformed (bad magic, truncated, too large, or what the format's extras check says),
// unsupported_version (version, KDF), wrong_password, tampered, resource. Checks run in that
// fixed order: password, magic, version, minimum size, KDF, extras, size, limits, then
// Argon2id. Error messages name the file by the format's `what` and never carry secrets.
//
// SECURITY: `file` is untrusted: every length is checked before use and nothing partial is
// returned. The plaintext is decrypted straight into SecretBytes (libsodium checks the tag
// before writing). The password is the caller's to wipe.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "keystore/password_wrap.h"
#include "keystore/result.h"
#include "keystore/secret_bytes.h"

namespace postern::keystore {

inline constexpr std::size_t kPasswordBoxFixedBytes = 78;
inline constexpr std::size_t kPasswordBoxTagBytes = 16;

struct PasswordBoxFormat {
  std::string_view magic;     // 4 bytes
  unsigned char version = 1;  // the byte after the magic
  std::string_view what;      // names the file in messages: "NEK file", "DKIM bundle"
  // open: fewer bytes than this after the fixed header read as "<what> is truncated".
  std::size_t min_tail = 1;
  // open: a larger plaintext reads as malformed ("larger than this build opens").
  std::size_t max_plaintext = kMaxSecretBytes;
  // open: given the bytes after the fixed header, the length of the extras, or an Error
  // (malformed). Empty: no extras.
  std::function<Result<std::size_t>(std::string_view tail)> extras_length;
};

struct OpenedPasswordBox {
  std::string_view extras;  // into the file
  SecretBytes plaintext;
};

// The file: `format`'s magic and version, the KDF parameters, `extras`, then `plaintext`
// encrypted under `password`.
Result<std::string> seal_password_box(const PasswordBoxFormat& format, std::string_view extras,
                                      std::string_view plaintext, std::string_view password,
                                      const PasswordLimits& limits);

Result<OpenedPasswordBox> open_password_box(const PasswordBoxFormat& format,
                                            std::string_view file, std::string_view password);

}  // namespace postern::keystore
