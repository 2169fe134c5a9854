// NEK transfer under a password: `keymgmt export nek` writes this file, `keymgmt import nek`
// reads it on another keystore and gets the same key (equal fingerprint).
//
// Key derivation: Argon2id v1.3 (libsodium crypto_pwhash) over the password with a random
// 16-byte salt, 48 output bytes: bytes 0..31 are the XChaCha20-Poly1305 key, bytes 32..47 a
// password check stored in the file. The check tells a wrong password apart from a file whose
// ciphertext was altered; it costs an attacker exactly one Argon2id evaluation per guess, the
// same as trying to decrypt, so it adds no shortcut.
//
// File format, version 1 (binary, big-endian integers):
//   "PNEK"       magic, 4 bytes
//   0x01         format version
//   0x01         KDF: Argon2id v1.3
//   opslimit     8 bytes
//   memlimit     8 bytes (bytes of memory)
//   salt         16 bytes
//   check        16 bytes
//   nonce        24 bytes
//   name length  1 byte, then the NEK's name (nek.h rules)
//   ciphertext   32-byte key + 16-byte tag
// Everything before the ciphertext is the associated data, so the name and the parameters
// cannot be changed without the AEAD noticing.
//
// Contract: import returns the NEK or an Error: malformed (not a NEK file, truncated, trailing
// bytes, bad name), unsupported_version, invalid_argument (KDF limits outside what this build
// accepts, which also stops a crafted file from demanding unbounded memory), wrong_password,
// tampered (an altered salt or limit changes the derived key and so reads as wrong_password).
// Nothing partial is returned. The password is the caller's to wipe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "keystore/nek.h"
#include "keystore/result.h"

namespace postern::keystore {

struct PasswordLimits {
  uint64_t opslimit = 0;
  uint64_t memlimit = 0;

  // libsodium's MODERATE (3 passes, 256 MiB): the default for export; about a second here.
  static PasswordLimits moderate();
  // libsodium's INTERACTIVE (2 passes, 64 MiB): the least import accepts.
  static PasswordLimits interactive();
};

inline constexpr std::size_t kMaxPasswordBytes = 4096;

// The NEK wrapped under `password` (1..kMaxPasswordBytes bytes). Limits between INTERACTIVE
// and SENSITIVE (inclusive).
Result<std::string> export_nek(const Nek& nek, std::string_view password,
                               PasswordLimits limits = PasswordLimits::moderate());

Result<Nek> import_nek(std::string_view file, std::string_view password);

}  // namespace postern::keystore
