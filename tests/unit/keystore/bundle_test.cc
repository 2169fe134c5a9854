// The DKIM bundle format (bundle.h): the plaintext codec (round trip, every truncation,
// trailing bytes, duplicates, a foreign context), both protections (round trip, wrong
// password, tampering at sampled positions, another identity), and the context binding: a NEK
// file, or a blob that is not a bundle protected the same way, is refused.
#include "keystore/bundle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "keystore/password_wrap.h"

namespace postern::keystore {
namespace {

using namespace std::string_literals;

const std::string kDerA = "\x30\x2e some DER bytes of key A"s;
const std::string kDerB(1800, '\x42');

std::vector<BundleEntry> two_entries() {
  return {{"example.com", "s1", 1'700'000'000, kDerA}, {"example.org", "ed1", -5, kDerB}};
}

std::string plaintext_of(const std::vector<BundleEntry>& entries) {
  Result<SecretBytes> plain = encode_bundle(entries);
  EXPECT_TRUE(plain.ok()) << plain.error().message;
  return plain.ok() ? std::string(plain.value().view().bytes()) : std::string();
}

void expect_two_entries(std::string_view plaintext) {
  Result<std::vector<BundleEntry>> parsed = parse_bundle(plaintext);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed.value().size(), 2u);
  EXPECT_EQ(parsed.value()[0].domain, "example.com");
  EXPECT_EQ(parsed.value()[0].selector, "s1");
  EXPECT_EQ(parsed.value()[0].created_unix, 1'700'000'000);
  EXPECT_EQ(parsed.value()[0].der, kDerA);
  EXPECT_EQ(parsed.value()[1].domain, "example.org");
  EXPECT_EQ(parsed.value()[1].created_unix, -5);
  EXPECT_EQ(parsed.value()[1].der, kDerB);
}

Result<std::string> password_bundle(std::string_view password = "bundle pass") {
  Result<SecretBytes> plain = encode_bundle(two_entries());
  if (!plain.ok()) return plain.error();
  return protect_bundle_with_password(plain.value(), password, PasswordLimits::interactive());
}

TEST(BundleCodecTest, RoundTrip) {
  const std::string plain = plaintext_of(two_entries());
  EXPECT_EQ(plain.substr(0, 24), "postern/v1/dkim-bundle\0\x01"s);
  expect_two_entries(plain);
}

TEST(BundleCodecTest, EveryTruncationAndTrailingBytesAreMalformed) {
  const std::string plain = plaintext_of(two_entries());
  for (std::size_t n = 0; n < plain.size(); ++n) {
    Result<std::vector<BundleEntry>> r = parse_bundle(plain.substr(0, n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, Errc::malformed) << n;
  }
  Result<std::vector<BundleEntry>> r = parse_bundle(plain + "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::malformed);
}

TEST(BundleCodecTest, BadContentsAreRefused) {
  std::string plain = plaintext_of(two_entries());
  std::string other_version = plain;
  other_version[23] = 2;
  EXPECT_EQ(parse_bundle(other_version).error().code, Errc::unsupported_version);
  std::string other_context = plain;
  other_context[11] = 'x';  // "postern/v1/xkim-bundle"
  EXPECT_EQ(parse_bundle(other_context).error().code, Errc::malformed);
  std::string upper = plain;
  upper[plain.find("example.com")] = 'E';  // names must be normalized
  EXPECT_EQ(parse_bundle(upper).error().code, Errc::malformed);
  const std::string dup = plaintext_of({{"a.com", "s", 0, kDerA}, {"a.com", "t", 0, kDerA}});
  std::string twice = dup;
  twice[twice.find("a.com", twice.find("a.com") + 1) + 6] = 's';  // second selector: "s" too
  EXPECT_EQ(parse_bundle(twice).error().code, Errc::malformed);
  // encode refuses what parse would refuse.
  EXPECT_FALSE(encode_bundle({}).ok());
  EXPECT_FALSE(encode_bundle({{"Example.com", "s", 0, kDerA}}).ok());
  EXPECT_FALSE(encode_bundle({{"example.com", "s", 0, ""}}).ok());
  const std::string big(40000, 'k');
  Result<SecretBytes> too_big =
      encode_bundle({{"a.com", "s1", 0, big}, {"a.com", "s2", 0, big}});
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, Errc::invalid_argument);
}

TEST(BundlePasswordTest, RoundTripAndWrongPassword) {
  Result<Identity> identity = Identity::generate();
  ASSERT_TRUE(identity.ok());
  Result<std::string> file = password_bundle();
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file.value().substr(0, 6), "PKDP\x01\x01"s);
  EXPECT_EQ(file.value().find(kDerA), std::string::npos);
  EXPECT_EQ(bundle_kind(file.value()).value(), BundleKind::password);

  Result<SecretBytes> plain = open_bundle(file.value(), "bundle pass", identity.value());
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  expect_two_entries(plain.value().view().bytes());

  Result<SecretBytes> wrong = open_bundle(file.value(), "bundle pasS", identity.value());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Errc::wrong_password);
  Result<SecretBytes> none = open_bundle(file.value(), "", identity.value());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, Errc::invalid_argument);
  EXPECT_NE(none.error().message.find("password"), std::string::npos);
}

TEST(BundlePasswordTest, EveryTamperedSampleIsRefused) {
  Result<Identity> identity = Identity::generate();
  ASSERT_TRUE(identity.ok());
  Result<std::string> file = password_bundle();
  ASSERT_TRUE(file.ok()) << file.error().message;
  const std::string& f = file.value();
  // The first and last byte of every header field, then a sample across the ciphertext and
  // tag (each sample that gets past the header costs one Argon2id evaluation).
  std::vector<std::size_t> positions = {0,  3,  4,  5,  6,  13, 14, 18, 21,
                                        22, 37, 38, 53, 54, 77};
  for (std::size_t i = 78; i < f.size(); i += f.size() / 6) positions.push_back(i);
  positions.push_back(f.size() - 1);
  int tampered = 0;
  for (const std::size_t at : positions) {
    std::string bad = f;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    Result<SecretBytes> r = open_bundle(bad, "bundle pass", identity.value());
    ASSERT_FALSE(r.ok()) << "byte " << at;
    if (at >= 54) {  // the nonce, the ciphertext and the tag
      EXPECT_EQ(r.error().code, Errc::tampered) << "byte " << at;
    }
    tampered += r.error().code == Errc::tampered ? 1 : 0;
  }
  EXPECT_GE(tampered, 8);
  EXPECT_EQ(open_bundle(f.substr(0, f.size() - 1), "bundle pass", identity.value()).error().code,
            Errc::tampered);
  EXPECT_EQ(open_bundle(f.substr(0, 90), "bundle pass", identity.value()).error().code,
            Errc::malformed);
}

TEST(BundlePasswordTest, LimitsAreBounded) {
  Result<SecretBytes> plain = encode_bundle(two_entries());
  ASSERT_TRUE(plain.ok());
  PasswordLimits tiny = PasswordLimits::interactive();
  tiny.memlimit /= 2;
  EXPECT_EQ(protect_bundle_with_password(plain.value(), "pw", tiny).error().code,
            Errc::invalid_argument);
  Result<std::string> file = password_bundle();
  ASSERT_TRUE(file.ok());
  std::string greedy = file.value();
  greedy[14] = '\x7f';  // memlimit's top byte: far beyond SENSITIVE
  Result<Identity> identity = Identity::generate();
  ASSERT_TRUE(identity.ok());
  Result<SecretBytes> r = open_bundle(greedy, "bundle pass", identity.value());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(BundleRecipientTest, OnlyTheRecipientOpensIt) {
  Result<Identity> recipient = Identity::generate();
  Result<Identity> other = Identity::generate();
  ASSERT_TRUE(recipient.ok() && other.ok());
  Result<SecretBytes> plain = encode_bundle(two_entries());
  ASSERT_TRUE(plain.ok());
  Result<std::string> file = protect_bundle_for(recipient.value().public_key(), plain.value());
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file.value().substr(0, 5), "PKDR\x01"s);
  EXPECT_EQ(bundle_kind(file.value()).value(), BundleKind::recipient);

  Result<SecretBytes> opened = open_bundle(file.value(), "", recipient.value());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  expect_two_entries(opened.value().view().bytes());

  Result<SecretBytes> wrong = open_bundle(file.value(), "", other.value());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Errc::authentication_failed);
  EXPECT_NE(wrong.error().message.find("another keystore"), std::string::npos);

  for (std::size_t at = 0; at < file.value().size(); at += 23) {
    std::string bad = file.value();
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    EXPECT_FALSE(open_bundle(bad, "", recipient.value()).ok()) << "byte " << at;
  }
  EXPECT_FALSE(protect_bundle_for("short", plain.value()).ok());
}

TEST(BundleContextTest, OtherFilesAndBlobsAreNotBundles) {
  Result<Identity> identity = Identity::generate();
  ASSERT_TRUE(identity.ok());
  // A NEK file under the same password.
  Result<Nek> nek = Nek::generate("main");
  ASSERT_TRUE(nek.ok());
  Result<std::string> nek_file =
      export_nek(nek.value(), "bundle pass", PasswordLimits::interactive());
  ASSERT_TRUE(nek_file.ok());
  EXPECT_EQ(open_bundle(nek_file.value(), "bundle pass", identity.value()).error().code,
            Errc::malformed);
  EXPECT_EQ(bundle_kind("PKDX\x01").error().code, Errc::malformed);
  EXPECT_EQ(bundle_kind("PKDP\x02 rest").error().code, Errc::unsupported_version);
  EXPECT_EQ(bundle_kind("PKDP").error().code, Errc::malformed);

  // Other plaintext protected exactly like a bundle opens, but does not parse as one.
  Result<SecretBytes> other = SecretBytes::copy_of("postern/v1/nek\0 some other blob"s);
  ASSERT_TRUE(other.ok());
  Result<std::string> sealed = protect_bundle_for(identity.value().public_key(), other.value());
  ASSERT_TRUE(sealed.ok());
  Result<SecretBytes> opened = open_bundle(sealed.value(), "", identity.value());
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(parse_bundle(opened.value().view().bytes()).error().code, Errc::malformed);
  // A bare identity.h sealed blob (no bundle header) is not a bundle file either.
  Result<std::string> bare = seal_for(identity.value().public_key(), "anything");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(open_bundle(bare.value(), "", identity.value()).error().code, Errc::malformed);
}

}  // namespace
}  // namespace postern::keystore
