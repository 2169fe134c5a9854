// Ed25519Signer: an Ed25519 private key kept ready for the signing oracle, signing with
// libsodium.
//
// Why not OpenSSL's EVP, which DkimKey uses for everything else: libsodium signs in about
// half the time on this class of machine (18.5 µs against 38.6 µs with a reused EVP context),
// and Ed25519 is deterministic (RFC 8032), so both give the same bytes: the RFC 8463 test
// vectors pin that down.
//
// SECURITY: the 64-byte secret key (seed || public key) lives in one sodium_malloc block:
// guard pages before and after, a canary, mlock()ed where the process may lock memory, and
// zeroed by sodium_free when the signer goes. Unlike SecretBytes it stays readable for the
// signer's lifetime: switching page protection around every signature costs ~9 µs and a TLB
// shootdown across the oracle's threads, for keys that are used continuously; that is the
// protection OpenSSL's secure heap gives the RSA keys. The seed the caller passes is copied
// straight in; the caller wipes its own copy. sign() may run on many threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "keystore/result.h"

namespace postern::keystore {

class Ed25519Signer {
 public:
  static constexpr std::size_t kSeedBytes = 32;
  static constexpr std::size_t kSignatureBytes = 64;

  // The signer for the RFC 8032 private key `seed` (32 bytes).
  static Result<Ed25519Signer> from_seed(std::string_view seed);

  // The 64-byte signature of `message` (PureEd25519).
  std::string sign(std::string_view message) const;
  // The 32-byte public key derived from the seed.
  std::string public_key() const;

 private:
  struct Free {
    void operator()(unsigned char* p) const;
  };
  explicit Ed25519Signer(std::unique_ptr<unsigned char, Free> secret)
      : secret_(std::move(secret)) {}

  std::unique_ptr<unsigned char, Free> secret_;  // crypto_sign_SECRETKEYBYTES
};

}  // namespace postern::keystore
