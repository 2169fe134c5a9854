#include "keystore/ed25519_signer.h"

#include <sodium.h>

#include "keystore/secret_bytes.h"

namespace postern::keystore {

static_assert(Ed25519Signer::kSeedBytes == crypto_sign_SEEDBYTES);
static_assert(Ed25519Signer::kSignatureBytes == crypto_sign_BYTES);

void Ed25519Signer::Free::operator()(unsigned char* p) const { sodium_free(p); }

Result<Ed25519Signer> Ed25519Signer::from_seed(std::string_view seed) {
  if (seed.size() != kSeedBytes) {
    return make_error(Errc::invalid_argument, "an Ed25519 private key is 32 bytes");
  }
  if (!sodium_ready()) return make_error(Errc::resource, "libsodium could not be initialised");
  std::unique_ptr<unsigned char, Free> secret(
      static_cast<unsigned char*>(sodium_malloc(crypto_sign_SECRETKEYBYTES)));
  if (secret == nullptr) {
    return make_error(Errc::resource, "guarded memory could not be allocated");
  }
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_seed_keypair(public_key, secret.get(),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  return Ed25519Signer(std::move(secret));
}

std::string Ed25519Signer::sign(std::string_view message) const {
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_.get());
  return sig;
}

std::string Ed25519Signer::public_key() const {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_ed25519_sk_to_pk(pk, secret_.get());
  return std::string(reinterpret_cast<const char*>(pk), sizeof pk);
}

}  // namespace postern::keystore
