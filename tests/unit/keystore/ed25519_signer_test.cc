// Ed25519Signer against RFC 8032 section 7.1 (TEST 1 and TEST 3) and against OpenSSL's
// EVP signing of the same key: Ed25519 is deterministic, so both must give the same bytes.
#include "keystore/ed25519_signer.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

namespace postern::keystore {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

struct Vector {
  const char* seed;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 7.1, TEST 1 (empty message) and TEST 3 (two bytes).
constexpr Vector kRfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

TEST(Ed25519SignerTest, Rfc8032TestVectors) {
  for (const Vector& v : kRfc8032) {
    Result<Ed25519Signer> signer = Ed25519Signer::from_seed(unhex(v.seed));
    ASSERT_TRUE(signer.ok()) << signer.error().message;
    EXPECT_EQ(signer.value().public_key(), unhex(v.public_key));
    EXPECT_EQ(signer.value().sign(unhex(v.message)), unhex(v.signature));
  }
}

TEST(Ed25519SignerTest, SameBytesAsOpenSsl) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free);
  ASSERT_NE(key, nullptr);
  unsigned char seed[32];
  std::size_t seed_len = sizeof seed;
  ASSERT_EQ(EVP_PKEY_get_raw_private_key(key.get(), seed, &seed_len), 1);
  Result<Ed25519Signer> signer =
      Ed25519Signer::from_seed(std::string(reinterpret_cast<char*>(seed), seed_len));
  ASSERT_TRUE(signer.ok());
  const std::string digest(32, '\x5a');
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              &EVP_MD_CTX_free);
  unsigned char sig[64];
  std::size_t sig_len = sizeof sig;
  ASSERT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()), 1);
  ASSERT_EQ(EVP_DigestSign(ctx.get(), sig, &sig_len,
                           reinterpret_cast<const unsigned char*>(digest.data()), digest.size()),
            1);
  EXPECT_EQ(signer.value().sign(digest), std::string(reinterpret_cast<char*>(sig), sig_len));
}

TEST(Ed25519SignerTest, SeedMustBe32Bytes) {
  EXPECT_FALSE(Ed25519Signer::from_seed(std::string(31, 'a')).ok());
  EXPECT_FALSE(Ed25519Signer::from_seed(std::string(33, 'a')).ok());
}

}  // namespace
}  // namespace postern::keystore
