// A DKIM private key held by the keystore (OpenSSL 3 EVP): generation, import from PEM, the
// PKCS#8 DER form that gets sealed (seal.h), the DNS record to publish, and signing of a
// SHA-256 digest for the signing oracle.
//
// Algorithms (RFC 6376, RFC 8301, RFC 8463):
// - rsa-sha256: RSASSA-PKCS1-v1_5 over the 32-byte digest (EVP_PKEY_sign with
//   RSA_PKCS1_PADDING and a SHA-256 signature md, so OpenSSL adds the DigestInfo).
//   Generated keys are 1024, 2048 or 4096 bits (e = 65537); imported keys 1024..8192 bits
//   (RFC 8301: verifiers refuse smaller keys; larger ones cost verifiers too much).
// - ed25519-sha256: PureEd25519 whose message is the 32-byte digest (RFC 8463 3), signed
//   by an Ed25519Signer (libsodium; ed25519_signer.h says why) made from the same seed.
//
// The DNS record value is "v=DKIM1; k=rsa; p=<base64 DER SubjectPublicKeyInfo>" or
// "v=DKIM1; k=ed25519; p=<base64 raw 32-byte public key>". The fingerprint is the SHA-256 of
// the decoded p= bytes, lowercase hex in groups of four separated by spaces (16 groups), so an
// admin can recompute it from the published record.
//
// SECURITY: PEM and DER input is untrusted (an admin's file, storage). It is parsed by
// OpenSSL's decoders, capped (kMaxPemBytes), must be exactly one RSA or Ed25519 private key
// (encrypted PEM is refused with a hint), and never throws. The private DER form is written
// straight into guarded memory (SecretBytes); OpenSSL's own copies of the key (in the
// EVP_PKEY) are cleared by OpenSSL when freed (BN_clear_free, OPENSSL_secure_clear_free).
// Error messages never contain key bytes. OpenSSL's error queue is cleared after failures.
// A DkimKey is immutable after construction: sign_digest() may run on many threads at once.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/mailauth/dkim/key_record.h"
#include "keystore/ed25519_signer.h"
#include "keystore/result.h"
#include "keystore/secret_bytes.h"

namespace postern::keystore {

using mailauth::dkim::KeyType;

inline constexpr std::size_t kMaxPemBytes = 64 * 1024;
inline constexpr int kMinImportRsaBits = 1024;
inline constexpr int kMaxImportRsaBits = 8192;

class DkimKey {
 public:
  // RSA with `bits` of 1024, 2048 or 4096.
  static Result<DkimKey> generate_rsa(int bits);
  static Result<DkimKey> generate_ed25519();
  // A PEM private key: PKCS#1 "BEGIN RSA PRIVATE KEY" or PKCS#8 "BEGIN PRIVATE KEY" (RSA or
  // Ed25519). The caller wipes its copy of the text.
  static Result<DkimKey> from_pem(std::string_view pem);
  // PKCS#8 PrivateKeyInfo DER, as to_der() writes it; must span all of `der`.
  static Result<DkimKey> from_der(std::string_view der);

  DkimKey(DkimKey&&) noexcept = default;
  DkimKey& operator=(DkimKey&&) noexcept = default;

  // PKCS#8 PrivateKeyInfo DER in guarded memory: what the keystore seals.
  Result<SecretBytes> to_der() const;

  KeyType type() const { return type_; }
  // RSA modulus bits; 256 for Ed25519.
  int bits() const { return bits_; }
  // "rsa-sha256" or "ed25519-sha256" (the a= tag).
  std::string_view algorithm() const;
  // The p= bytes before base64: DER SubjectPublicKeyInfo (rsa) or the raw 32 bytes (ed25519).
  const std::string& public_key_bytes() const { return public_key_; }
  // "v=DKIM1; k=rsa; p=..." / "v=DKIM1; k=ed25519; p=..."
  std::string dns_record() const;
  // SHA-256 of public_key_bytes(), grouped hex.
  std::string fingerprint() const;

  // The signature (raw bytes, the b= value before base64) over `digest`, which must be the
  // 32-byte SHA-256 of the DKIM header hash input.
  Result<std::string> sign_digest(std::string_view digest) const;

 private:
  struct PkeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  };
  using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

  // Checks the key's type and size and computes its public bytes.
  static Result<DkimKey> adopt(Pkey key, int min_rsa_bits, int max_rsa_bits);
  DkimKey(KeyType type, int bits, Pkey key, std::string public_key,
          std::optional<Ed25519Signer> ed25519 = std::nullopt)
      : type_(type),
        bits_(bits),
        key_(std::move(key)),
        public_key_(std::move(public_key)),
        ed25519_(std::move(ed25519)) {}

  KeyType type_;
  int bits_;
  Pkey key_;
  std::string public_key_;
  std::optional<Ed25519Signer> ed25519_;  // set for Ed25519 keys: their signing path
};

}  // namespace postern::keystore
