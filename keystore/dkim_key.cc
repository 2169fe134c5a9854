#include "keystore/dkim_key.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <optional>

#include "common/encoding/base64.h"
#include "keystore/nek.h"

namespace postern::keystore {
namespace {

constexpr std::size_t kDigestBytes = 32;
constexpr std::size_t kEd25519PublicBytes = 32;

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// An Error for a failed OpenSSL call; its queue is cleared so it cannot leak into a later,
// unrelated check (nor its text, which may describe our input, into logs).
Error openssl_error(Errc code, std::string message) {
  ERR_clear_error();
  return make_error(code, std::move(message));
}

// Refuses encrypted PEM: the keystore has no passphrase to give it, and a silent prompt
// (OpenSSL's default callback reads the terminal) must never happen in a server.
int no_passphrase(char*, int, int, void*) { return -1; }

}  // namespace

Result<DkimKey> DkimKey::adopt(Pkey key, int min_rsa_bits, int max_rsa_bits) {
  if (key == nullptr) return openssl_error(Errc::malformed, "no private key found");
  const int id = EVP_PKEY_get_base_id(key.get());
  if (id == EVP_PKEY_ED25519) {
    unsigned char raw[kEd25519PublicBytes];
    std::size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key.get(), raw, &len) != 1 || len != sizeof raw) {
      return openssl_error(Errc::malformed, "Ed25519 key without a public key");
    }
    std::string public_key(reinterpret_cast<const char*>(raw), len);
    unsigned char seed[Ed25519Signer::kSeedBytes];
    std::size_t seed_len = sizeof seed;
    if (EVP_PKEY_get_raw_private_key(key.get(), seed, &seed_len) != 1 ||
        seed_len != sizeof seed) {
      OPENSSL_cleanse(seed, sizeof seed);
      return openssl_error(Errc::malformed, "Ed25519 key without a private key");
    }
    Result<Ed25519Signer> signer =
        Ed25519Signer::from_seed(std::string_view(reinterpret_cast<const char*>(seed), seed_len));
    OPENSSL_cleanse(seed, sizeof seed);
    if (!signer.ok()) return signer.error();
    if (signer.value().public_key() != public_key) {
      return make_error(Errc::malformed, "Ed25519 key whose public half does not match");
    }
    return DkimKey(KeyType::ed25519, 256, std::move(key), std::move(public_key),
                   std::move(signer).value());
  }
  if (id != EVP_PKEY_RSA) {
    return make_error(Errc::unsupported_key,
                      "DKIM keys are RSA or Ed25519 (RFC 6376, RFC 8463); this is another type");
  }
  const int bits = EVP_PKEY_get_bits(key.get());
  if (bits < min_rsa_bits || bits > max_rsa_bits) {
    return make_error(Errc::unsupported_key, "RSA key of " + std::to_string(bits) +
                                                 " bits; accepted: " +
                                                 std::to_string(min_rsa_bits) + " to " +
                                                 std::to_string(max_rsa_bits));
  }
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key.get(), &der);
  if (len <= 0) return openssl_error(Errc::malformed, "RSA public key could not be encoded");
  std::string spki(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return DkimKey(KeyType::rsa, bits, std::move(key), std::move(spki));
}

Result<DkimKey> DkimKey::generate_rsa(int bits) {
  if (bits != 1024 && bits != 2048 && bits != 4096) {
    return make_error(Errc::invalid_argument, "RSA DKIM keys are 1024, 2048 or 4096 bits");
  }
  Pkey key(EVP_RSA_gen(static_cast<unsigned>(bits)));
  if (key == nullptr) return openssl_error(Errc::resource, "RSA key generation failed");
  return adopt(std::move(key), bits, bits);
}

Result<DkimKey> DkimKey::generate_ed25519() {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (key == nullptr) return openssl_error(Errc::resource, "Ed25519 key generation failed");
  return adopt(std::move(key), 0, 0);
}

Result<DkimKey> DkimKey::from_pem(std::string_view pem) {
  if (pem.size() > kMaxPemBytes) {
    return make_error(Errc::malformed, "PEM file larger than 64 KiB");
  }
  if (pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
      pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos) {
    return make_error(Errc::unsupported_key,
                      "encrypted PEM key: decrypt it first (openssl pkey -in KEY -out PLAIN)");
  }
  if (pem.find("-----BEGIN RSA PRIVATE KEY-----") == std::string_view::npos &&
      pem.find("-----BEGIN PRIVATE KEY-----") == std::string_view::npos) {
    return make_error(Errc::malformed,
                      "no PEM private key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)");
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (bio == nullptr) return openssl_error(Errc::resource, "out of memory");
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &no_passphrase, nullptr));
  if (key == nullptr) return openssl_error(Errc::malformed, "the PEM private key does not parse");
  return adopt(std::move(key), kMinImportRsaBits, kMaxImportRsaBits);
}

Result<DkimKey> DkimKey::from_der(std::string_view der) {
  const unsigned char* p = u8(der);
  PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  if (p8 == nullptr || p != u8(der) + der.size()) {
    PKCS8_PRIV_KEY_INFO_free(p8);  // frees and clears the key octets; null is fine
    return openssl_error(Errc::malformed, "not a PKCS#8 private key");
  }
  Pkey key(EVP_PKCS82PKEY(p8));
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (key == nullptr) {
    return openssl_error(Errc::malformed, "the PKCS#8 private key does not parse");
  }
  return adopt(std::move(key), kMinImportRsaBits, kMaxImportRsaBits);
}

Result<SecretBytes> DkimKey::to_der() const {
  // Encoded straight into guarded memory: no plain-heap copy of the private DER exists. The
  // PKCS8_PRIV_KEY_INFO's own octets are cleared by PKCS8_PRIV_KEY_INFO_free.
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)> p8(
      EVP_PKEY2PKCS8(key_.get()), &PKCS8_PRIV_KEY_INFO_free);
  const int len = p8 == nullptr ? 0 : i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr);
  if (len <= 0) return openssl_error(Errc::resource, "PKCS#8 encoding failed");
  return SecretBytes::fill(static_cast<std::size_t>(len),
                           [&](unsigned char* buf, std::size_t n) -> std::optional<Error> {
                             unsigned char* end = buf;
                             if (i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &end) != static_cast<int>(n)) {
                               return openssl_error(Errc::resource, "PKCS#8 encoding failed");
                             }
                             return std::nullopt;
                           });
}

std::string_view DkimKey::algorithm() const {
  return type_ == KeyType::ed25519 ? "ed25519-sha256" : "rsa-sha256";
}

std::string DkimKey::dns_record() const {
  return std::string("v=DKIM1; k=") + (type_ == KeyType::ed25519 ? "ed25519" : "rsa") +
         "; p=" + encoding::base64_encode(public_key_);
}

std::string DkimKey::fingerprint() const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(public_key_.data(), public_key_.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return {};  // SHA-256 of a few hundred bytes cannot fail short of a broken OpenSSL
  }
  return grouped_hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

Result<std::string> DkimKey::sign_digest(std::string_view digest) const {
  if (digest.size() != kDigestBytes) {
    return make_error(Errc::invalid_argument, "the digest to sign is 32 bytes (SHA-256)");
  }
  std::size_t len = 0;
  std::string sig;
  if (type_ == KeyType::rsa) {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new(key_.get(), nullptr), &EVP_PKEY_CTX_free);
    if (ctx == nullptr || EVP_PKEY_sign_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_sign(ctx.get(), nullptr, &len, u8(digest), digest.size()) != 1) {
      return openssl_error(Errc::resource, "RSA signing could not start");
    }
    sig.resize(len);
    if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, u8(digest),
                      digest.size()) != 1) {
      return openssl_error(Errc::resource, "RSA signing failed");
    }
  } else {
    return ed25519_->sign(digest);
  }
  sig.resize(len);
  return sig;
}

}  // namespace postern::keystore
