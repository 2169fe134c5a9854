#include "common/mailauth/dkim/public_key.h"

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "common/mailauth/dkim/limits.h"

namespace postern::mailauth::dkim {
namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// A DER structure that must span all of `der`.
EVP_PKEY* decode_spki(std::string_view der) {
  const unsigned char* p = bytes(der);
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (key != nullptr && p != bytes(der) + der.size()) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return key;
}

EVP_PKEY* decode_pkcs1_rsa(std::string_view der) {
  EVP_PKEY* key = nullptr;
  OSSL_DECODER_CTX* ctx = OSSL_DECODER_CTX_new_for_pkey(&key, "DER", "type-specific", "RSA",
                                                        EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
  if (ctx == nullptr) return nullptr;
  const unsigned char* p = bytes(der);
  std::size_t len = der.size();
  if (OSSL_DECODER_from_data(ctx, &p, &len) != 1 || len != 0) {
    EVP_PKEY_free(key);
    key = nullptr;
  }
  OSSL_DECODER_CTX_free(ctx);
  return key;
}

}  // namespace

std::optional<PublicKey> PublicKey::load(KeyType type, std::string_view key_bytes,
                                         std::string& error) {
  EVP_PKEY* key = nullptr;
  if (type == KeyType::ed25519) {
    if (key_bytes.size() != 32) {
      error = "ed25519 key is not 32 octets";
      return std::nullopt;
    }
    key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(key_bytes), 32);
  } else {
    key = decode_spki(key_bytes);
    if (key == nullptr) key = decode_pkcs1_rsa(key_bytes);
    if (key != nullptr && EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
      EVP_PKEY_free(key);
      ERR_clear_error();
      error = "k=rsa but p= holds another key type";
      return std::nullopt;
    }
  }
  ERR_clear_error();
  if (key == nullptr) {
    error = "p= is not a valid public key";
    return std::nullopt;
  }
  PublicKey out(type, key);
  if (type == KeyType::rsa && out.bits() > kMaxRsaBits) {
    error = "RSA key larger than " + std::to_string(kMaxRsaBits) + " bits";
    return std::nullopt;
  }
  return out;
}

int PublicKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

bool PublicKey::verify(std::string_view digest, std::string_view signature) const {
  bool ok = false;
  if (type_ == KeyType::rsa) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key_.get(), nullptr);
    ok = ctx != nullptr && EVP_PKEY_verify_init(ctx) == 1 &&
         EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
         EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
         EVP_PKEY_verify(ctx, bytes(signature), signature.size(), bytes(digest),
                         digest.size()) == 1;
    EVP_PKEY_CTX_free(ctx);
  } else {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ok = ctx != nullptr &&
         EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key_.get()) == 1 &&
         EVP_DigestVerify(ctx, bytes(signature), signature.size(), bytes(digest),
                          digest.size()) == 1;
    EVP_MD_CTX_free(ctx);
  }
  ERR_clear_error();
  return ok;
}

}  // namespace postern::mailauth::dkim
