#include "tests/unit/common/mailauth/dkim/test_keys.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/encoding/base64.h"
#include "common/mailauth/dkim/body_hash.h"
#include "common/mailauth/dkim/data_to_sign.h"
#include "common/mime/headers.h"

namespace postern::mailauth::dkim::testing {
namespace {

PrivateKey wrap(KeyType type, EVP_PKEY* key) {
  if (key == nullptr) throw std::runtime_error("OpenSSL could not make the key");
  return PrivateKey{type, std::shared_ptr<EVP_PKEY>(key, &EVP_PKEY_free)};
}

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string suite_path(const std::string& relative) {
  return std::string(POSTERN_SUITES_DIR) + "/" + relative;
}

PrivateKey load_private_key_pem(const std::string& path) {
  const std::string pem = read_file(path);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) throw std::runtime_error("not a private key: " + path);
  return wrap(EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? KeyType::ed25519 : KeyType::rsa,
              key);
}

PrivateKey ed25519_from_seed(std::string_view seed) {
  return wrap(KeyType::ed25519,
              EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, u8(seed), seed.size()));
}

PrivateKey generate_rsa(int bits) {
  return wrap(KeyType::rsa, EVP_RSA_gen(static_cast<unsigned>(bits)));
}

PrivateKey generate_ed25519() {
  return wrap(KeyType::ed25519, EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
}

std::string key_record(const PrivateKey& key) {
  if (key.type == KeyType::ed25519) {
    unsigned char raw[32];
    std::size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key.key.get(), raw, &len) != 1) {
      throw std::runtime_error("no raw public key");
    }
    return "v=DKIM1; k=ed25519; p=" +
           encoding::base64_encode(std::string(reinterpret_cast<char*>(raw), len));
  }
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key.key.get(), &der);
  if (len <= 0) throw std::runtime_error("no SubjectPublicKeyInfo");
  std::string spki(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return "v=DKIM1; k=rsa; p=" + encoding::base64_encode(spki);
}

std::string sign_digest(const PrivateKey& key, std::string_view digest) {
  std::string sig;
  std::size_t len = 0;
  if (key.type == KeyType::rsa) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key.key.get(), nullptr);
    bool ok = ctx != nullptr && EVP_PKEY_sign_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
              EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
              EVP_PKEY_sign(ctx, nullptr, &len, u8(digest), digest.size()) == 1;
    if (ok) {
      sig.resize(len);
      ok = EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, u8(digest),
                         digest.size()) == 1;
      sig.resize(len);
    }
    EVP_PKEY_CTX_free(ctx);
    if (!ok) throw std::runtime_error("RSA signing failed");
    return sig;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr &&
            EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key.key.get()) == 1 &&
            EVP_DigestSign(ctx, nullptr, &len, u8(digest), digest.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, u8(digest),
                        digest.size()) == 1;
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("Ed25519 signing failed");
  return sig;
}

std::string sign_message(std::string_view message, const PrivateKey& key, const SignParams& p) {
  const mime::HeaderSplit split = mime::split_header_block(message);
  const std::vector<mime::Field> fields = mime::parse_fields(split.headers);
  const std::string algorithm =
      !p.algorithm.empty() ? p.algorithm
                           : (key.type == KeyType::rsa ? "rsa-sha256" : "ed25519-sha256");
  std::string h;
  for (const std::string& name : p.headers) h += (h.empty() ? "" : ":") + name;
  std::string field = "DKIM-Signature: v=1; a=" + algorithm + "; c=" +
                      to_string(p.header_canon) + "/" + to_string(p.body_canon) +
                      "; d=" + p.domain + "; s=" + p.selector + ";\r\n\t";
  if (p.timestamp) field += "t=" + std::to_string(*p.timestamp) + "; ";
  if (p.expiration) field += "x=" + std::to_string(*p.expiration) + "; ";
  if (p.body_length) field += "l=" + std::to_string(*p.body_length) + "; ";
  field += p.extra_tags + "h=" + h + ";\r\n\tbh=" +
           encoding::base64_encode(body_hash(p.body_canon, p.body_length, split.body).digest) +
           ";\r\n\tb=";
  const std::string digest = sha256(header_hash_input(p.header_canon, fields, p.headers, field));
  field += encoding::base64_encode(sign_digest(key, digest)) + "\r\n";
  return field + std::string(message);
}

}  // namespace postern::mailauth::dkim::testing
