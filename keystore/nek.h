// A named encryption key (NEK): 256 random bits that seal credential-store entries (seal.h)
// and travel between keystores only wrapped (password_wrap.h).
//
// Contract:
// - The key bytes live only in SecretBytes (guarded, locked, wiped); a Nek is move-only.
// - The name is an admin's label: 1..kMaxNekNameBytes bytes of printable ASCII without spaces
//   (letters, digits, "._-@+" and the like), so it can appear in files, logs and CLI output.
// - The fingerprint identifies the key without revealing it: the first 16 bytes of BLAKE2b-256
//   of the key, keyed with the constant "postern/v1/nek-fingerprint" (domain separation, so the
//   value is useless as any other hash of the key), shown as lowercase hex in groups of four
//   separated by spaces ("3f2a 9c01 ... 77de", 8 groups). Equal after export and import.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "keystore/result.h"
#include "keystore/secret_bytes.h"

namespace postern::keystore {

inline constexpr std::size_t kNekBytes = 32;
inline constexpr std::size_t kMaxNekNameBytes = 64;

class Nek {
 public:
  // A fresh key from randombytes_buf.
  static Result<Nek> generate(std::string_view name);
  // A key from its raw 32 bytes (the import path); the caller wipes its copy.
  static Result<Nek> from_bytes(std::string_view name, std::string_view raw32);
  // A key taking over a guarded buffer of exactly kNekBytes.
  static Result<Nek> from_secret(std::string_view name, SecretBytes key);

  const std::string& name() const { return name_; }
  const std::string& fingerprint() const { return fingerprint_; }
  // The key bytes; only the keystore's AEAD code reads them, through a View.
  const SecretBytes& key() const { return key_; }

 private:
  Nek(std::string name, SecretBytes key, std::string fingerprint)
      : name_(std::move(name)), key_(std::move(key)), fingerprint_(std::move(fingerprint)) {}

  std::string name_;
  SecretBytes key_;
  std::string fingerprint_;
};

// True when `name` is an acceptable NEK name (see the contract above).
bool valid_nek_name(std::string_view name);

// Lowercase hex of `bytes` in groups of four digits separated by single spaces; shared by the
// NEK and DKIM key fingerprints so an admin sees one format.
std::string grouped_hex(std::string_view bytes);

}  // namespace postern::keystore
