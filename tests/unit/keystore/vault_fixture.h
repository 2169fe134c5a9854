// Shared pieces of the KeyVault tests: a vault over a real RocksDbStore in a fresh temp dir
// with a fresh Identity and a settable clock; private keys made by OpenSSL itself (not by
// DkimKey) in PEM form; and a signature check that uses only OpenSSL and the published DNS
// record value (the verifier's view), independent of the keystore's own code.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/encoding/base64.h"
#include "keystore/identity.h"
#include "keystore/rocksdb_store.h"
#include "keystore/vault.h"
#include "tests/unit/keystore/temp_dir.h"

namespace postern::keystore::testing {

// A PEM private key made by OpenSSL, with the bytes a disk scan must never find.
struct TestPem {
  std::string pem;       // the file an admin would import
  std::string der;       // the DER inside the PEM (PKCS#1 or PKCS#8)
  std::string pkcs8;     // the PKCS#8 DER of the same key
  std::string b64_line;  // the PEM's second base64 line (64 characters of the body)
};

inline std::string pem_armour(std::string_view label, std::string_view der) {
  const std::string b64 = encoding::base64_encode(der);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END " + std::string(label) + "-----\n";
}

// An OpenSSL-generated key: RSA of `bits` (PKCS#1 PEM when `pkcs1`, else PKCS#8) or Ed25519
// (bits 0; PKCS#8).
inline TestPem make_pem(int bits, bool pkcs1) {
  EVP_PKEY* raw = bits == 0 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                            : EVP_RSA_gen(static_cast<unsigned>(bits));
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw, &EVP_PKEY_free);
  EXPECT_NE(key, nullptr);
  TestPem out;
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)> p8(
      EVP_PKEY2PKCS8(key.get()), &PKCS8_PRIV_KEY_INFO_free);
  unsigned char* der = nullptr;
  int len = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &der);
  EXPECT_GT(len, 0);
  out.pkcs8.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  if (pkcs1) {
    der = nullptr;
    len = i2d_PrivateKey(key.get(), &der);  // type-specific: PKCS#1 RSAPrivateKey for RSA
    EXPECT_GT(len, 0);
    out.der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    out.pem = pem_armour("RSA PRIVATE KEY", out.der);
  } else {
    out.der = out.pkcs8;
    out.pem = pem_armour("PRIVATE KEY", out.der);
  }
  const std::size_t second = out.pem.find('\n', out.pem.find('\n') + 1) + 1;
  out.b64_line = out.pem.substr(second, out.pem.find('\n', second) - second);
  return out;
}

inline std::string test_digest(std::string_view text) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}

// True when `signature` verifies over `digest` under the key published as `dns_value`
// ("v=DKIM1; k=rsa|ed25519; p=..."): RSA PKCS#1 v1.5 over DigestInfo(SHA-256, digest), or
// PureEd25519 over the 32 digest bytes (RFC 8463).
inline bool verifies(const std::string& dns_value, const std::string& digest,
                     const std::string& signature) {
  const std::size_t p = dns_value.find("p=");
  if (p == std::string::npos) return false;
  const std::optional<std::string> pub = encoding::base64_decode(dns_value.substr(p + 2));
  if (!pub) return false;
  const bool ed25519 = dns_value.find("k=ed25519") != std::string::npos;
  const auto* bytes = reinterpret_cast<const unsigned char*>(pub->data());
  EVP_PKEY* raw = ed25519 ? EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes,
                                                        pub->size())
                          : d2i_PUBKEY(nullptr, &bytes, static_cast<long>(pub->size()));
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw, &EVP_PKEY_free);
  if (key == nullptr) return false;
  const auto* sig = reinterpret_cast<const unsigned char*>(signature.data());
  const auto* msg = reinterpret_cast<const unsigned char*>(digest.data());
  if (ed25519) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                &EVP_MD_CTX_free);
    return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
           EVP_DigestVerify(ctx.get(), sig, signature.size(), msg, digest.size()) == 1;
  }
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(key.get(), nullptr), &EVP_PKEY_CTX_free);
  return ctx != nullptr && EVP_PKEY_verify_init(ctx.get()) == 1 &&
         EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1 &&
         EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) == 1 &&
         EVP_PKEY_verify(ctx.get(), sig, signature.size(), msg, digest.size()) == 1;
}

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Regular files under `dir` whose contents contain `needle`.
inline std::vector<std::string> files_containing(const std::string& dir,
                                                 const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && slurp(entry.path()).find(needle) != std::string::npos) {
      hits.push_back(entry.path().string());
    }
  }
  return hits;
}

// One keystore: a RocksDB data dir, an identity file beside it, a vault, a settable clock.
class VaultNode {
 public:
  VaultNode() { reopen(); }

  // Closes the vault and the store and opens both again from disk (a restart).
  void reopen() {
    vault_.reset();
    store_.reset();
    Result<std::unique_ptr<RocksDbStore>> store = RocksDbStore::open(dir_ / "db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store).value();
    Result<Identity> identity = Identity::load_or_create(dir_ / "identity.key");
    ASSERT_TRUE(identity.ok()) << identity.error().message;
    Result<std::unique_ptr<KeyVault>> vault = KeyVault::open(
        *store_, std::move(identity).value(), [this] { return now_.load(); });
    ASSERT_TRUE(vault.ok()) << vault.error().message;
    vault_ = std::move(vault).value();
  }

  // NEK "main" and a credential store sealed by it.
  void init_credstore(const std::string& nek = "main") {
    Result<NekInfo> n = vault_->create_nek(nek);
    ASSERT_TRUE(n.ok()) << n.error().message;
    Result<CredstoreInfo> c = vault_->create_credstore(nek);
    ASSERT_TRUE(c.ok()) << c.error().message;
  }

  KeyVault& vault() { return *vault_; }
  Store& store() { return *store_; }
  const TempDir& dir() const { return dir_; }
  void set_now(int64_t t) { now_ = t; }

 private:
  TempDir dir_;
  std::atomic<int64_t> now_{1'700'000'000};
  std::unique_ptr<RocksDbStore> store_;
  std::unique_ptr<KeyVault> vault_;
};

}  // namespace postern::keystore::testing
