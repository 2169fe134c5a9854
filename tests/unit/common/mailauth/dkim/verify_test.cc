// The verifier's decisions without DNS: messages signed here with local keys, key records fed
// in as DNS answers (conclude), so every RFC 6376 / 8301 / 8463 rule is exercised directly.
#include "common/mailauth/dkim/verify.h"

#include <gtest/gtest.h>
#include <openssl/encoder.h>

#include "common/encoding/base64.h"
#include "common/mailauth/dkim/canonicalize.h"
#include "tests/unit/common/mailauth/dkim/test_keys.h"

namespace postern::mailauth::dkim {
namespace {

using testing::PrivateKey;
using testing::SignParams;

constexpr int64_t kNow = 1'700'000'000;

const std::string kMessage =
    "From: Joe <joe@example.test>\r\n"
    "To: Suzie <suzie@example.net>\r\n"
    "Subject: Is dinner ready?\r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700\r\n"
    "\r\n"
    "Hi.\r\n"
    "\r\n"
    "We lost the game.  Are you hungry yet?\r\n";

dns::Answer<std::string> txt(std::vector<std::string> records) {
  return dns::Answer<std::string>{dns::Status::ok, std::move(records), {}};
}

class VerifyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new PrivateKey(testing::generate_rsa(2048));
    ed_ = new PrivateKey(testing::generate_ed25519());
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ed_;
  }

  // Verifies `message` (one signature expected) against `record` served for its key name.
  SignatureResult verify(const std::string& message, const std::string& record,
                         const VerifyOptions& options = {}) {
    return verify_answer(message, txt({record}), options);
  }
  SignatureResult verify_answer(const std::string& message, const dns::Answer<std::string>& a,
                                const VerifyOptions& options = {}) {
    const PreparedMessage prepared = prepare(message, kNow, options);
    EXPECT_EQ(prepared.signatures.size(), 1u);
    if (prepared.signatures.empty()) return {};
    return conclude(prepared.signatures[0], a, options);
  }

  static PrivateKey* rsa_;
  static PrivateKey* ed_;
};
PrivateKey* VerifyTest::rsa_ = nullptr;
PrivateKey* VerifyTest::ed_ = nullptr;

TEST_F(VerifyTest, PassesForEveryAlgorithmAndCanonicalization) {
  for (const PrivateKey* key : {rsa_, ed_}) {
    for (Canon h : {Canon::simple, Canon::relaxed}) {
      for (Canon b : {Canon::simple, Canon::relaxed}) {
        SignParams p;
        p.header_canon = h;
        p.body_canon = b;
        p.timestamp = kNow - 10;
        const SignatureResult r =
            verify(testing::sign_message(kMessage, *key, p), testing::key_record(*key));
        EXPECT_EQ(r.result, Result::pass) << r.reason << " " << to_string(h) << "/"
                                          << to_string(b);
        EXPECT_EQ(r.domain, "example.test");
        EXPECT_EQ(r.selector, "sel");
        EXPECT_EQ(r.algorithm, key == rsa_ ? "rsa-sha256" : "ed25519-sha256");
        EXPECT_EQ(r.b_prefix.size(), 8u);
        EXPECT_EQ(r.identity, "@example.test");
        EXPECT_FALSE(r.testing);
        EXPECT_FALSE(r.partial_body);
      }
    }
  }
}

TEST_F(VerifyTest, AnyChangeToASignedHeaderOrTheBodyFails) {
  for (const PrivateKey* key : {rsa_, ed_}) {
    const std::string signed_msg = testing::sign_message(kMessage, *key, SignParams{});
    const std::string record = testing::key_record(*key);
    std::string subject = signed_msg;
    subject.replace(subject.find("dinner"), 6, "supper");
    const SignatureResult s = verify(subject, record);
    EXPECT_EQ(s.result, Result::fail);
    EXPECT_EQ(s.reason, "signature did not verify");

    std::string body = signed_msg;
    body.replace(body.find("hungry"), 6, "thirst");
    const SignatureResult b = verify(body, record);
    EXPECT_EQ(b.result, Result::fail);
    EXPECT_EQ(b.reason, "body hash did not verify");

    // Fields are selected bottom-up: a From added above the signed one goes unnoticed unless
    // the signer oversigned From (listed it once more than it occurs), which dkimpy and the
    // router (issue 3) do.
    SignParams oversigned;
    oversigned.headers = {"from", "from", "to", "subject"};
    const std::string over = testing::sign_message(kMessage, *key, oversigned);
    EXPECT_EQ(verify(over, record).result, Result::pass);
    std::string extra_from = over;
    extra_from.insert(extra_from.find("From:"), "From: evil@attacker.test\r\n");
    EXPECT_EQ(verify(extra_from, record).result, Result::fail);

    // Changing an unsigned header or the case/spacing of a relaxed one is fine.
    std::string unsigned_change = signed_msg;
    unsigned_change.replace(unsigned_change.find("2003"), 4, "2004");
    EXPECT_EQ(verify(unsigned_change, record).result, Result::pass);
    std::string relaxed_change = signed_msg;
    relaxed_change.replace(relaxed_change.find("Subject: Is"), 11, "SUBJECT:   Is");
    EXPECT_EQ(verify(relaxed_change, record).result, Result::pass);
  }
}

TEST_F(VerifyTest, SmallRsaKeyFails) {
  const PrivateKey small = testing::generate_rsa(512);
  const SignatureResult r =
      verify(testing::sign_message(kMessage, small, SignParams{}), testing::key_record(small));
  EXPECT_EQ(r.result, Result::fail);
  EXPECT_EQ(r.reason, "RSA key of 512 bits is too small (RFC 8301)");
  VerifyOptions lax;
  lax.min_rsa_bits = 512;  // proves the signature itself was good
  EXPECT_EQ(verify(testing::sign_message(kMessage, small, SignParams{}),
                   testing::key_record(small), lax).result,
            Result::pass);
}

TEST_F(VerifyTest, RsaSha1FailsWithoutKeyLookup) {
  SignParams p;
  p.algorithm = "rsa-sha1";
  const PreparedMessage prepared =
      prepare(testing::sign_message(kMessage, *rsa_, p), kNow, VerifyOptions{});
  ASSERT_EQ(prepared.signatures.size(), 1u);
  EXPECT_TRUE(prepared.signatures[0].decided);
  EXPECT_EQ(prepared.signatures[0].result.result, Result::fail);
  EXPECT_EQ(prepared.signatures[0].result.algorithm, "rsa-sha1");
}

TEST_F(VerifyTest, KeyRecordRules) {
  const std::string msg = testing::sign_message(kMessage, *rsa_, SignParams{});
  const std::string p = testing::key_record(*rsa_).substr(std::string("v=DKIM1; k=rsa; ").size());
  struct Case {
    const char* name;
    std::string record;
    Result result;
  };
  const Case cases[] = {
      {"revoked", "v=DKIM1; k=rsa; p=", Result::permerror},
      {"ed25519 key for rsa signature", "v=DKIM1; k=ed25519; " + p, Result::permerror},
      {"h= only sha1", "v=DKIM1; h=sha1; " + p, Result::permerror},
      {"h= includes sha256", "v=DKIM1; h=sha1:sha256; " + p, Result::pass},
      {"s= other service", "v=DKIM1; s=tlsrpt; " + p, Result::permerror},
      {"s= email", "v=DKIM1; s=email; " + p, Result::pass},
      {"malformed record", "v=DKIM1; k=rsa; p", Result::permerror},
      {"p= garbage", "v=DKIM1; p=QUJD", Result::permerror},
      {"no v= is fine", p, Result::pass},
  };
  for (const auto& c : cases) {
    const SignatureResult r = verify(msg, c.record);
    EXPECT_EQ(r.result, c.result) << c.name << ": " << r.reason;
  }
  EXPECT_EQ(verify(msg, "v=DKIM1; k=rsa; p=").reason, "key revoked (empty p=)");
}

TEST_F(VerifyTest, TestingAndStrictFlags) {
  SignParams sub;
  sub.extra_tags = "i=joe@mail.example.test; ";
  const std::string msg = testing::sign_message(kMessage, *ed_, sub);
  const std::string record = testing::key_record(*ed_);
  const SignatureResult plain = verify(msg, record);
  EXPECT_EQ(plain.result, Result::pass) << plain.reason;
  EXPECT_EQ(plain.identity, "joe@mail.example.test");
  const SignatureResult testing_key = verify(msg, record + "; t=y");
  EXPECT_EQ(testing_key.result, Result::pass);
  EXPECT_TRUE(testing_key.testing);
  const SignatureResult strict = verify(msg, record + "; t=s");
  EXPECT_EQ(strict.result, Result::permerror);
  EXPECT_EQ(strict.reason, "key t=s: i= domain must equal d=");
  EXPECT_EQ(verify(testing::sign_message(kMessage, *ed_, SignParams{}), record + "; t=s").result,
            Result::pass);
}

TEST_F(VerifyTest, Times) {
  const std::string record = testing::key_record(*ed_);
  SignParams future;
  future.timestamp = kNow + 3600;
  EXPECT_EQ(verify(testing::sign_message(kMessage, *ed_, future), record).result, Result::policy);
  SignParams skewed;
  skewed.timestamp = kNow + 60;  // within the default 300 s skew
  EXPECT_EQ(verify(testing::sign_message(kMessage, *ed_, skewed), record).result, Result::pass);
  SignParams expired;
  expired.timestamp = kNow - 7200;
  expired.expiration = kNow - 3600;
  const SignatureResult r = verify(testing::sign_message(kMessage, *ed_, expired), record);
  EXPECT_EQ(r.result, Result::policy);
  EXPECT_EQ(r.reason, "signature expired (x=)");
  SignParams valid;
  valid.timestamp = kNow - 7200;
  valid.expiration = kNow + 3600;
  EXPECT_EQ(verify(testing::sign_message(kMessage, *ed_, valid), record).result, Result::pass);
}

TEST_F(VerifyTest, BodyLength) {
  const std::string record = testing::key_record(*rsa_);
  SignParams p;
  p.body_length = 10;  // "Hi.\r\n\r\nWe " in relaxed canonical form
  const std::string msg = testing::sign_message(kMessage, *rsa_, p);
  const SignatureResult r = verify(msg + "Appended by anyone.\r\n", record);
  EXPECT_EQ(r.result, Result::pass) << r.reason;
  EXPECT_TRUE(r.partial_body);
  std::string inside = msg;
  inside.replace(inside.find("Hi."), 3, "Ho.");
  EXPECT_EQ(verify(inside, record).result, Result::fail);
  VerifyOptions strict;
  strict.accept_body_length = false;
  EXPECT_EQ(verify(msg, record, strict).result, Result::policy);

  SignParams whole;
  whole.body_length =
      canonicalize_body(Canon::relaxed, kMessage.substr(kMessage.find("Hi."))).size();
  const SignatureResult exact = verify(testing::sign_message(kMessage, *rsa_, whole), record);
  EXPECT_EQ(exact.result, Result::pass) << exact.reason;
  EXPECT_FALSE(exact.partial_body);

  std::string longer = testing::sign_message(kMessage, *rsa_, p);
  longer.replace(longer.find("l=10;"), 5, "l=999;");
  const SignatureResult beyond = verify(longer, record);
  EXPECT_EQ(beyond.result, Result::permerror);
  EXPECT_EQ(beyond.reason, "l= exceeds the body length");
}

TEST_F(VerifyTest, DnsOutcomes) {
  const std::string msg = testing::sign_message(kMessage, *ed_, SignParams{});
  const SignatureResult nx =
      verify_answer(msg, dns::Answer<std::string>{dns::Status::nxdomain, {}, "NXDOMAIN"});
  EXPECT_EQ(nx.result, Result::permerror);
  EXPECT_EQ(nx.reason, "no key record at sel._domainkey.example.test");
  EXPECT_EQ(verify_answer(msg, dns::Answer<std::string>{dns::Status::nodata, {}, ""}).result,
            Result::permerror);
  EXPECT_EQ(verify_answer(msg, dns::Answer<std::string>{dns::Status::temperror, {}, "t"}).result,
            Result::temperror);
  EXPECT_EQ(verify_answer(msg, txt({})).result, Result::permerror);
  // Several TXT records: the first that is a key record is used.
  EXPECT_EQ(verify_answer(msg, txt({"v=spf1 -all", testing::key_record(*ed_)})).result,
            Result::pass);
}

TEST_F(VerifyTest, Pkcs1RsaPublicKeyIsAccepted) {
  OSSL_ENCODER_CTX* ctx = OSSL_ENCODER_CTX_new_for_pkey(rsa_->key.get(), EVP_PKEY_PUBLIC_KEY,
                                                        "DER", "type-specific", nullptr);
  ASSERT_NE(ctx, nullptr);
  unsigned char* der = nullptr;
  std::size_t len = 0;
  ASSERT_EQ(OSSL_ENCODER_to_data(ctx, &der, &len), 1);
  OSSL_ENCODER_CTX_free(ctx);
  const std::string pkcs1(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  const std::string msg = testing::sign_message(kMessage, *rsa_, SignParams{});
  EXPECT_EQ(verify(msg, "v=DKIM1; k=rsa; p=" + encoding::base64_encode(pkcs1)).result,
            Result::pass);
}

TEST_F(VerifyTest, MalformedSignaturesAreReportedNotThrown) {
  const std::string msg =
      "DKIM-Signature: v=1; a=rsa-sha256; d=example.test; s=sel; h=to; bh=AAAA; b=AAAA\r\n"
      "DKIM-Signature: garbage\r\n"
      "DKIM-Signature: v=1; a=rsa-sha512; d=example.test; s=sel; h=from; bh=AAAA; b=AAAA\r\n" +
      kMessage;
  const PreparedMessage p = prepare(msg, kNow, VerifyOptions{});
  ASSERT_EQ(p.signatures.size(), 3u);
  EXPECT_EQ(p.signatures[0].result.result, Result::permerror);
  EXPECT_EQ(p.signatures[0].result.reason, "h= does not include From");
  EXPECT_EQ(p.signatures[0].result.domain, "example.test");
  EXPECT_EQ(p.signatures[1].result.result, Result::permerror);
  EXPECT_EQ(p.signatures[2].result.result, Result::neutral);
  for (const auto& s : p.signatures) EXPECT_TRUE(s.decided);
}

TEST_F(VerifyTest, SignatureCountIsCapped) {
  std::string msg = kMessage;
  for (int i = 0; i < 12; ++i) msg = testing::sign_message(msg, *ed_, SignParams{});
  const PreparedMessage p = prepare(msg, kNow, VerifyOptions{});
  EXPECT_EQ(p.signatures.size(), 10u);
  EXPECT_EQ(p.ignored, 2u);
  for (const auto& s : p.signatures) {
    EXPECT_EQ(conclude(s, txt({testing::key_record(*ed_)}), VerifyOptions{}).result, Result::pass);
  }
}

}  // namespace
}  // namespace postern::mailauth::dkim

namespace postern::mailauth::dkim {
namespace {

TEST(KeyCache, MemoizesAndEvictsLeastRecentlyUsed) {
  const testing::PrivateKey a = testing::generate_ed25519();
  const testing::PrivateKey b = testing::generate_ed25519();
  const testing::PrivateKey c = testing::generate_ed25519();
  auto bytes = [](const testing::PrivateKey& k) {
    return parse_key_record(testing::key_record(k)).record.public_key;
  };
  KeyCache cache(2);
  std::string error;
  ASSERT_TRUE(cache.load(KeyType::ed25519, bytes(a), error).has_value());
  ASSERT_TRUE(cache.load(KeyType::ed25519, bytes(b), error).has_value());
  EXPECT_EQ(cache.hits(), 0u);
  ASSERT_TRUE(cache.load(KeyType::ed25519, bytes(a), error).has_value());  // a now most recent
  EXPECT_EQ(cache.hits(), 1u);
  ASSERT_TRUE(cache.load(KeyType::ed25519, bytes(c), error).has_value());  // evicts b
  EXPECT_EQ(cache.size(), 2u);
  ASSERT_TRUE(cache.load(KeyType::ed25519, bytes(a), error).has_value());
  EXPECT_EQ(cache.hits(), 2u);
  ASSERT_TRUE(cache.load(KeyType::ed25519, bytes(b), error).has_value());
  EXPECT_EQ(cache.hits(), 2u);  // b had been evicted
  // Failures are reported and not cached; the same bytes as another type are another key.
  EXPECT_FALSE(cache.load(KeyType::ed25519, "short", error).has_value());
  EXPECT_EQ(error, "ed25519 key is not 32 octets");
  EXPECT_FALSE(cache.load(KeyType::rsa, bytes(a), error).has_value());
  EXPECT_EQ(cache.size(), 2u);
}

TEST(KeyCache, VerificationUsesIt) {
  const testing::PrivateKey key = testing::generate_rsa(1024);
  const std::string msg = testing::sign_message(kMessage, key, testing::SignParams{});
  KeyCache cache;
  VerifyOptions options;
  options.key_cache = &cache;
  for (int i = 0; i < 3; ++i) {
    const PreparedMessage p = prepare(msg, kNow, options);
    ASSERT_EQ(p.signatures.size(), 1u);
    EXPECT_EQ(conclude(p.signatures[0], txt({testing::key_record(key)}), options).result,
              Result::pass);
  }
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.hits(), 2u);
}

}  // namespace
}  // namespace postern::mailauth::dkim
