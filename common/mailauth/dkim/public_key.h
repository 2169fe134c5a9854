// The public-key step of DKIM (RFC 6376 3.3, RFC 8463 3): a key from a key record's p=, and
// verification of a signature over the SHA-256 digest of the header hash input.
//
// Both algorithms take the digest, not the data, which is exactly the split the keystore's
// signing oracle (issue 3) uses: rsa-sha256 is RSASSA-PKCS1-v1_5 with a SHA-256 DigestInfo
// over the digest; ed25519-sha256 is PureEd25519 whose message is the 32-octet digest.
//
// SECURITY: key bytes come from DNS (untrusted). Parsing is OpenSSL's DER decoder; sizes are
// checked (RSA at most kMaxRsaBits); nothing throws; OpenSSL's error queue is cleared.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/mailauth/dkim/key_record.h"

namespace postern::mailauth::dkim {

class PublicKey {
 public:
  // rsa: DER SubjectPublicKeyInfo (RFC 6376 3.6.1), or a bare PKCS#1 RSAPublicKey, which some
  // old records publish; ed25519: the raw 32-octet key (RFC 8463 4). nullopt with `error`
  // set when the bytes are not such a key.
  static std::optional<PublicKey> load(KeyType type, std::string_view key_bytes,
                                       std::string& error);

  KeyType type() const { return type_; }
  int bits() const;

  // True when `signature` is valid over `digest` (32 octets) with this key.
  bool verify(std::string_view digest, std::string_view signature) const;

  EVP_PKEY* get() const { return key_.get(); }

 private:
  PublicKey(KeyType type, EVP_PKEY* key) : type_(type), key_(key, &EVP_PKEY_free) {}

  KeyType type_;
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace postern::mailauth::dkim
