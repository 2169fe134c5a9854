// The keystore's node identity: an X25519 key pair (libsodium crypto_box). It does two jobs:
// - NEKs are stored wrapped under it (wrap_nek/unwrap_nek), so the storage backend holds no
//   key that opens anything by itself;
// - other keystores seal blobs for its public key (seal_for), the basis of DKIM bundle
//   transfer between clusters; only this identity opens them (open_sealed).
//
// Identity file, version 1 (binary, exactly kIdentityFileBytes):
//   "PKID"   magic, 4 bytes
//   0x01     format version
//   public   32 bytes (X25519)
//   secret   32 bytes (X25519)
//   check    16 bytes: BLAKE2b-128 (crypto_generichash) of the 69 bytes before it
// The check catches any altered bit, including the secret's bits that X25519 clamps away and
// the public-key comparison therefore cannot see (they still feed the NEK-wrap subkey). It is
// integrity against corruption, not against someone who can write the file.
// The file is created atomically and durably (temp file with O_EXCL and mode 0600, write,
// fsync, link() to the final name, which never replaces an existing file, unlink the temp
// name, fsync the directory). A crash between the write and the unlink can leave the temp
// file ("PATH.tmp-<hex>", mode 0600) behind; it is never read and may be deleted.
// Loading refuses, with a message naming the path: anything that is not a regular file
// (symlinks are not followed), a file readable or writable by group or others (mode & 077), a
// wrong size, a wrong magic or version, a wrong check, and a public key that does not match
// the secret.
//
// NEK wrapping: XChaCha20-Poly1305 (IETF) under a subkey derived from the identity secret with
// crypto_kdf (BLAKE2b; context "PstNekWr", subkey id 1), associated data
// "postern/v1/nek" 0x00 NAME, so a wrapped NEK stored under another name fails to unwrap.
//   "PKNW" 0x01 nonce(24) ciphertext(32 + 16-byte tag)
//
// Sealing for a recipient: crypto_box_seal (ephemeral X25519 + XSalsa20-Poly1305) to the
// recipient's public key; anyone may seal, only the holder of the secret opens.
//   "PKBX" 0x01 box(48-byte overhead + plaintext of 1..kMaxSecretBytes)
// crypto_box_seal has no associated data: callers that need to bind a context put it inside
// the plaintext (the bundle format does).
//
// SECURITY: the identity file, wrapped NEKs and sealed blobs are untrusted input (disk,
// storage, another cluster's file); every parse checks size, magic and version and never
// throws. The secret lives only in SecretBytes; it is read from the file straight into
// guarded memory. Error messages never contain key bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "keystore/nek.h"
#include "keystore/result.h"
#include "keystore/secret_bytes.h"

namespace postern::keystore {

inline constexpr std::size_t kIdentityKeyBytes = 32;
inline constexpr std::size_t kIdentityFileBytes = 4 + 1 + 2 * kIdentityKeyBytes + 16;
// Overheads of the two sealed forms, for callers that size buffers or check lengths.
inline constexpr std::size_t kWrappedNekBytes = 4 + 1 + 24 + kNekBytes + 16;
inline constexpr std::size_t kSealedForOverhead = 4 + 1 + 48;

class Identity {
 public:
  // A fresh key pair in memory only (tests; create() is what a keystore uses).
  static Result<Identity> generate();
  // Creates the identity file at `path`; fails (invalid_argument) when anything exists there.
  static Result<Identity> create(const std::string& path);
  // Loads the identity file at `path` with the checks listed above.
  static Result<Identity> load(const std::string& path);
  // First start: create; later starts: load. A concurrent creator wins the link() and this
  // call then loads its file.
  static Result<Identity> load_or_create(const std::string& path);

  Identity(Identity&&) noexcept = default;
  Identity& operator=(Identity&&) noexcept = default;

  // The 32-byte public key, and its padded base64 (44 characters) for `keymgmt show identity`.
  const std::string& public_key() const { return public_key_; }
  std::string public_key_base64() const;

  // The NEK wrapped for storage (kWrappedNekBytes bytes).
  Result<std::string> wrap_nek(const Nek& nek) const;
  // The NEK named `name` from its wrapped form: authentication_failed for another identity,
  // another name or altered bytes; malformed / unsupported_version for a bad layout.
  Result<Nek> unwrap_nek(std::string_view name, std::string_view wrapped) const;

  // Opens a blob sealed for this identity's public key (see seal_for()).
  Result<SecretBytes> open_sealed(std::string_view sealed) const;

 private:
  Identity(SecretBytes secret, std::string public_key)
      : secret_(std::move(secret)), public_key_(std::move(public_key)) {}
  static Result<Identity> from_keys(SecretBytes secret, std::string_view public_key);

  SecretBytes secret_;
  std::string public_key_;
};

// Seals `plaintext` (1..kMaxSecretBytes bytes) for the identity whose raw 32-byte public key
// is `recipient_public_key`. The caller wipes its plaintext.
Result<std::string> seal_for(std::string_view recipient_public_key, std::string_view plaintext);

// The raw public key from its base64 form (what `keymgmt show identity` printed): exactly
// 32 bytes after strict decoding, else invalid_argument.
Result<std::string> parse_identity_public_key(std::string_view base64);

}  // namespace postern::keystore
