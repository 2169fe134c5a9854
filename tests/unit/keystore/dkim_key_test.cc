// DKIM keys: the RFC 8463 Appendix A keys import to exactly the published p= values and, via
// sign_digest(), reproduce the published b= values of its message; generated keys of every
// type verify with the verifier's PublicKey loaded from our DNS record; PEM and DER import and
// their failures.
#include "keystore/dkim_key.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <regex>
#include <string>

#include "common/encoding/base64.h"
#include "common/mailauth/dkim/body_hash.h"
#include "common/mailauth/dkim/data_to_sign.h"
#include "common/mailauth/dkim/public_key.h"
#include "common/mime/headers.h"
#include "tests/unit/common/mailauth/dkim/test_keys.h"

namespace postern::keystore {
namespace {

namespace dkim = postern::mailauth::dkim;
using dkim::testing::read_file;
using dkim::testing::strip_trailing_newline;
using dkim::testing::suite_path;

// PEM armour around DER, 64 columns (RFC 7468).
std::string pem(std::string_view label, std::string_view der) {
  const std::string b64 = encoding::base64_encode(der);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END " + std::string(label) + "-----\n";
}

// RFC 8410 PKCS#8 for an Ed25519 seed: the fixed prefix, then the 32-byte seed.
std::string ed25519_pkcs8(std::string_view seed) {
  return std::string("\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20", 16) +
         std::string(seed);
}

// The PEM of an OpenSSL-made key that is not acceptable (wrong type or size).
std::string pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  EVP_PKEY_free(key);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string digest_of(std::string_view text) { return dkim::sha256(text); }

// The key as the verifier sees it: parse our record, load p=, check a signature.
void expect_verifies(const DkimKey& key) {
  const dkim::KeyRecordParse record = dkim::parse_key_record(key.dns_record());
  ASSERT_TRUE(record.ok()) << record.error;
  EXPECT_EQ(record.record.type, key.type());
  std::string error;
  const std::optional<dkim::PublicKey> pub =
      dkim::PublicKey::load(record.record.type, record.record.public_key, error);
  ASSERT_TRUE(pub.has_value()) << error;
  if (key.type() == KeyType::rsa) {
    EXPECT_EQ(pub->bits(), key.bits());
  }
  const std::string digest = digest_of("header hash input");
  Result<std::string> sig = key.sign_digest(digest);
  ASSERT_TRUE(sig.ok()) << sig.error().message;
  EXPECT_TRUE(pub->verify(digest, sig.value()));
  EXPECT_FALSE(pub->verify(digest_of("another input"), sig.value()));
  std::string flipped = sig.value();
  flipped[flipped.size() / 2] ^= 0x01;
  EXPECT_FALSE(pub->verify(digest, flipped));
}

class Rfc8463KeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = suite_path("dkim/rfc8463");
    const std::string seed =
        encoding::base64_decode(strip_trailing_newline(read_file(dir_ + "/ed25519.seed.b64")))
            .value_or("");
    ASSERT_EQ(seed.size(), 32u);
    Result<DkimKey> ed = DkimKey::from_pem(pem("PRIVATE KEY", ed25519_pkcs8(seed)));
    ASSERT_TRUE(ed.ok()) << ed.error().message;
    ed_.emplace(std::move(ed).value());
    Result<DkimKey> rsa = DkimKey::from_pem(read_file(dir_ + "/rsa-1024.pem"));
    ASSERT_TRUE(rsa.ok()) << rsa.error().message;
    rsa_.emplace(std::move(rsa).value());
  }

  // The TXT character-strings of `selector`'s record in keys.zone, concatenated.
  std::string published(std::string_view selector) const {
    const std::string zone = read_file(dir_ + "/keys.zone");
    const std::size_t line = zone.find(std::string(selector) + "._domainkey");
    EXPECT_NE(line, std::string::npos);
    std::string value;
    bool quoted = false;
    for (std::size_t i = zone.find('"', line); i < zone.size() && zone[i] != '\n'; ++i) {
      if (zone[i] == '"') {
        quoted = !quoted;
      } else if (quoted) {
        value += zone[i];
      }
    }
    return value;
  }

  std::string dir_;
  std::optional<DkimKey> ed_;
  std::optional<DkimKey> rsa_;
};

TEST_F(Rfc8463KeysTest, ImportYieldsThePublishedRecords) {
  EXPECT_EQ(ed_->type(), KeyType::ed25519);
  EXPECT_EQ(ed_->bits(), 256);
  EXPECT_EQ(ed_->algorithm(), "ed25519-sha256");
  EXPECT_EQ(ed_->dns_record(), published("brisbane"));
  EXPECT_EQ(ed_->dns_record(),
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  EXPECT_EQ(rsa_->type(), KeyType::rsa);
  EXPECT_EQ(rsa_->bits(), 1024);
  EXPECT_EQ(rsa_->algorithm(), "rsa-sha256");
  EXPECT_EQ(rsa_->dns_record(), published("test"));
}

TEST_F(Rfc8463KeysTest, FingerprintIsSha256OfThePublishedKey) {
  // sha256(base64decode("11qYAYKx...")) computed with Python's hashlib.
  EXPECT_EQ(ed_->fingerprint(),
            "21fe 31df a154 a261 626b f854 046f d227 1b7b ed4b 6abe 45aa 5887 7ef4 7f97 21b9");
  EXPECT_TRUE(std::regex_match(rsa_->fingerprint(), std::regex("[0-9a-f]{4}( [0-9a-f]{4}){15}")));
  EXPECT_NE(rsa_->fingerprint(), ed_->fingerprint());
}

TEST_F(Rfc8463KeysTest, SignDigestReproducesThePublishedSignatures) {
  const std::string message = read_file(dir_ + "/signed.eml");
  const mime::HeaderSplit split = mime::split_header_block(message);
  const auto fields = mime::parse_fields(split.headers);
  int signatures = 0;
  for (const mime::Field& f : fields) {
    if (!mime::iequals(f.name, "DKIM-Signature")) continue;
    ++signatures;
    const dkim::SignatureParse parsed = dkim::parse_signature(f.raw_value);
    ASSERT_TRUE(parsed.ok()) << parsed.error->reason;
    const dkim::Signature& sig = parsed.signature;
    ASSERT_EQ(dkim::body_hash(sig.body_canon, sig.body_length, split.body).digest,
              sig.body_hash);
    const std::string digest = dkim::sha256(dkim::header_hash_input(
        sig.header_canon, fields, sig.signed_headers, dkim::without_b_value(f.raw).value()));
    const DkimKey& key = sig.algorithm == dkim::Algorithm::ed25519_sha256 ? *ed_ : *rsa_;
    Result<std::string> b = key.sign_digest(digest);
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_EQ(encoding::base64_encode(b.value()), sig.b_text) << sig.selector;
  }
  EXPECT_EQ(signatures, 2);
}

TEST_F(Rfc8463KeysTest, DerRoundTripKeepsTheKey) {
  for (const DkimKey* key : {&*ed_, &*rsa_}) {
    Result<SecretBytes> der = key->to_der();
    ASSERT_TRUE(der.ok()) << der.error().message;
    Result<DkimKey> back = DkimKey::from_der(der.value().view().bytes());
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back.value().dns_record(), key->dns_record());
    EXPECT_EQ(back.value().fingerprint(), key->fingerprint());
    // Both algorithms are deterministic: the same key gives the same signature.
    const std::string digest = digest_of("x");
    EXPECT_EQ(back.value().sign_digest(digest).value(), key->sign_digest(digest).value());
    // The PKCS#8 PEM of the same DER imports too (PKCS#1 is covered by rsa-1024.pem).
    Result<DkimKey> from_pem = DkimKey::from_pem(pem("PRIVATE KEY", der.value().view().bytes()));
    ASSERT_TRUE(from_pem.ok()) << from_pem.error().message;
    EXPECT_EQ(from_pem.value().fingerprint(), key->fingerprint());
  }
  // The Ed25519 PKCS#8 form is exactly RFC 8410's: prefix and seed.
  Result<SecretBytes> der = ed_->to_der();
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(der.value().size(), 48u);
}

TEST(DkimKeyTest, GeneratedKeysVerifyFromTheirDnsRecord) {
  for (const int bits : {1024, 2048, 4096}) {
    SCOPED_TRACE(bits);
    Result<DkimKey> key = DkimKey::generate_rsa(bits);
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_EQ(key.value().bits(), bits);
    EXPECT_EQ(key.value().dns_record().rfind("v=DKIM1; k=rsa; p=MI", 0), 0u);
    expect_verifies(key.value());
  }
  Result<DkimKey> ed = DkimKey::generate_ed25519();
  ASSERT_TRUE(ed.ok()) << ed.error().message;
  EXPECT_EQ(ed.value().public_key_bytes().size(), 32u);
  expect_verifies(ed.value());
  Result<DkimKey> ed2 = DkimKey::generate_ed25519();
  ASSERT_TRUE(ed2.ok());
  EXPECT_NE(ed.value().fingerprint(), ed2.value().fingerprint());
}

TEST(DkimKeyTest, GeneratedKeySurvivesDer) {
  Result<DkimKey> key = DkimKey::generate_rsa(2048);
  ASSERT_TRUE(key.ok());
  Result<SecretBytes> der = key.value().to_der();
  ASSERT_TRUE(der.ok());
  Result<DkimKey> back = DkimKey::from_der(der.value().view().bytes());
  ASSERT_TRUE(back.ok()) << back.error().message;
  expect_verifies(back.value());
  EXPECT_EQ(back.value().fingerprint(), key.value().fingerprint());
}

TEST(DkimKeyTest, UnsupportedSizesAndDigests) {
  for (const int bits : {0, 512, 1023, 3072, 8192}) {
    Result<DkimKey> key = DkimKey::generate_rsa(bits);
    ASSERT_FALSE(key.ok()) << bits;
    EXPECT_EQ(key.error().code, Errc::invalid_argument);
  }
  Result<DkimKey> ed = DkimKey::generate_ed25519();
  ASSERT_TRUE(ed.ok());
  for (const std::size_t size : {std::size_t{0}, std::size_t{20}, std::size_t{31},
                                 std::size_t{33}, std::size_t{64}}) {
    Result<std::string> sig = ed.value().sign_digest(std::string(size, 'd'));
    ASSERT_FALSE(sig.ok()) << size;
    EXPECT_EQ(sig.error().code, Errc::invalid_argument);
  }
}

TEST(DkimKeyTest, PemImportFailures) {
  struct Case {
    std::string name;
    std::string pem;
    Errc code;
  };
  const std::string rsa512 = pem_of(EVP_RSA_gen(512));
  const std::string p256 = pem_of(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  const std::string x25519 = pem_of(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  const std::string garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  const Case cases[] = {
      {"empty", "", Errc::malformed},
      {"public key", pem("PUBLIC KEY", "\x30\x00"), Errc::malformed},
      {"garbage body", garbage, Errc::malformed},
      {"encrypted pkcs8", pem("ENCRYPTED PRIVATE KEY", "\x30\x00"), Errc::unsupported_key},
      {"encrypted pkcs1",
       "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
       "AAAA\n-----END RSA PRIVATE KEY-----\n",
       Errc::unsupported_key},
      {"rsa 512", rsa512, Errc::unsupported_key},
      {"ec p-256", p256, Errc::unsupported_key},
      {"x25519", x25519, Errc::unsupported_key},
      {"too large", std::string(kMaxPemBytes + 1, 'A'), Errc::malformed},
  };
  for (const Case& c : cases) {
    Result<DkimKey> key = DkimKey::from_pem(c.pem);
    ASSERT_FALSE(key.ok()) << c.name;
    EXPECT_EQ(key.error().code, c.code) << c.name << ": " << key.error().message;
  }
}

TEST(DkimKeyTest, DerImportFailures) {
  Result<DkimKey> ed = DkimKey::generate_ed25519();
  ASSERT_TRUE(ed.ok());
  Result<SecretBytes> der = ed.value().to_der();
  ASSERT_TRUE(der.ok());
  const std::string good(der.value().view().bytes());
  for (const std::string& bad :
       {std::string(), good.substr(0, good.size() - 1), good + '\0', std::string("\x30\x00", 2),
        std::string(48, 'x')}) {
    Result<DkimKey> key = DkimKey::from_der(bad);
    ASSERT_FALSE(key.ok()) << bad.size();
    EXPECT_EQ(key.error().code, Errc::malformed);
  }
}

}  // namespace
}  // namespace postern::keystore
