// The signer (common/mailauth/dkim/signer.h): digests it prepares, signed with keys generated
// here (OpenSSL), verify with the project's own verifier (verify.h prepare/conclude) for all
// four canonicalizations and both algorithms; the h= rule (present headers, oversigning); t=
// and x=; folding; and RFC 8463 Appendix A reproduced byte for byte with the keystore's
// signing code.
#include "common/mailauth/dkim/signer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/encoding/base64.h"
#include "common/mailauth/dkim/verify.h"
#include "common/mime/headers.h"
#include "keystore/dkim_key.h"
#include "tests/unit/common/mailauth/dkim/test_keys.h"

namespace postern::mailauth::dkim {
namespace {

constexpr uint64_t kNow = 1'700'000'000;

const std::string kMessage =
    "Received: from client by edge; Tue, 14 Nov 2023 22:13:20 +0000\r\n"
    "From: Alice <alice@example.test>\r\n"
    "To: bob@remote.test,\r\n"
    "    carol@remote.test\r\n"
    "Subject:   Hello   there \r\n"
    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
    "Message-ID: <1@example.test>\r\n"
    "\r\n"
    "Hi  Bob, \r\n"
    "\r\n"
    "a body line\twith tabs\r\n"
    "\r\n"
    "\r\n";

SignerParams params_for(const testing::PrivateKey& key, Canon header, Canon body) {
  SignerParams p;
  p.domain = "example.test";
  p.selector = key.type == KeyType::ed25519 ? "ed" : "rsa";
  p.algorithm = key.type == KeyType::ed25519 ? Algorithm::ed25519_sha256 : Algorithm::rsa_sha256;
  p.header_canon = header;
  p.body_canon = body;
  p.headers = {"From", "To", "Subject", "Date", "Message-ID", "Reply-To", "References"};
  p.oversign = {"From"};
  p.timestamp = kNow;
  return p;
}

std::string sign(std::string_view message, const testing::PrivateKey& key,
                 const SignerParams& p) {
  const SigningInput in = prepare_signature(message, p);
  EXPECT_EQ(in.digest.size(), 32u);
  return finish_signature(in.header_without_b, testing::sign_digest(key, in.digest)) +
         std::string(message);
}

dns::Answer<std::string> key_answer(const testing::PrivateKey& key) {
  dns::Answer<std::string> a;
  a.status = dns::Status::ok;
  a.records = {testing::key_record(key)};
  return a;
}

// Every signature of `signed_message`, verified against `keys` (in header order).
std::vector<SignatureResult> verify_all(std::string_view signed_message,
                                        const std::vector<const testing::PrivateKey*>& keys) {
  VerifyOptions options;
  const PreparedMessage prepared = prepare(signed_message, kNow + 10, options);
  std::vector<SignatureResult> out;
  for (std::size_t i = 0; i < prepared.signatures.size(); ++i) {
    out.push_back(conclude(prepared.signatures[i], key_answer(*keys.at(i)), options));
  }
  return out;
}

class SignerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new testing::PrivateKey(testing::generate_rsa(2048));
    ed_ = new testing::PrivateKey(testing::generate_ed25519());
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ed_;
  }
  static testing::PrivateKey* rsa_;
  static testing::PrivateKey* ed_;
};
testing::PrivateKey* SignerTest::rsa_ = nullptr;
testing::PrivateKey* SignerTest::ed_ = nullptr;

TEST_F(SignerTest, VerifiesForEveryCanonicalizationAndAlgorithm) {
  for (Canon header : {Canon::simple, Canon::relaxed}) {
    for (Canon body : {Canon::simple, Canon::relaxed}) {
      for (const testing::PrivateKey* key : {rsa_, ed_}) {
        const std::string signed_message = sign(kMessage, *key, params_for(*key, header, body));
        const auto results = verify_all(signed_message, {key});
        ASSERT_EQ(results.size(), 1u);
        EXPECT_EQ(results[0].result, Result::pass)
            << to_string(header) << "/" << to_string(body) << " "
            << (key == ed_ ? "ed25519" : "rsa") << ": " << results[0].reason;
      }
    }
  }
}

TEST_F(SignerTest, ChangedHeaderOrBodyFails) {
  for (Canon canon : {Canon::simple, Canon::relaxed}) {
    const std::string signed_message = sign(kMessage, *rsa_, params_for(*rsa_, canon, canon));
    std::string header = signed_message;
    header.replace(header.find("Hello"), 5, "Howdy");
    std::string body = signed_message;
    body.replace(body.find("a body line"), 1, "A");
    std::string added_from = signed_message;  // oversigned: a second From breaks it
    added_from.insert(added_from.find("From: Alice"), "From: mallory@evil.test\r\n");
    for (const std::string& changed : {header, body, added_from}) {
      const auto results = verify_all(changed, {rsa_});
      ASSERT_EQ(results.size(), 1u);
      EXPECT_EQ(results[0].result, Result::fail) << results[0].reason;
    }
    // An unsigned header may change (Received is not in the list).
    std::string received = signed_message;
    received.replace(received.find("by edge"), 7, "by EDGE");
    EXPECT_EQ(verify_all(received, {rsa_})[0].result, Result::pass);
  }
}

TEST_F(SignerTest, TwoSelectorsSideBySideBothVerify) {
  const SignerParams r = params_for(*rsa_, Canon::relaxed, Canon::relaxed);
  const SignerParams e = params_for(*ed_, Canon::relaxed, Canon::simple);
  const auto inputs = prepare_signatures(kMessage, {r, e});
  ASSERT_EQ(inputs.size(), 2u);
  // Each equals the one-at-a-time result (shared body hashes change nothing).
  EXPECT_EQ(inputs[0].digest, prepare_signature(kMessage, r).digest);
  EXPECT_EQ(inputs[1].digest, prepare_signature(kMessage, e).digest);
  const std::string fields =
      finish_signature(inputs[0].header_without_b, testing::sign_digest(*rsa_, inputs[0].digest)) +
      finish_signature(inputs[1].header_without_b, testing::sign_digest(*ed_, inputs[1].digest));
  const auto results = verify_all(fields + kMessage, {rsa_, ed_});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& res : results) EXPECT_EQ(res.result, Result::pass) << res.reason;
  EXPECT_EQ(results[0].selector, "rsa");
  EXPECT_EQ(results[1].selector, "ed");
  EXPECT_EQ(results[1].algorithm, "ed25519-sha256");
}

TEST(SignerNames, PresentHeadersOnceEachOversignedOnceMore) {
  const mime::HeaderSplit split = mime::split_header_block(kMessage);
  EXPECT_EQ(names_to_sign(split.headers, {"From", "To", "Reply-To", "Subject"}, {"From"}),
            (std::vector<std::string>{"from", "from", "to", "subject"}));
  // An oversigned name that is absent (and not in the list) is still listed once.
  EXPECT_EQ(names_to_sign(split.headers, {"From"}, {"From", "Reply-To"}),
            (std::vector<std::string>{"from", "from", "reply-to"}));
  EXPECT_EQ(names_to_sign("To: a\r\nTo: b\r\nFrom: x\r\n", {"from", "to"}, {}),
            (std::vector<std::string>{"from", "to", "to"}));
}

TEST_F(SignerTest, TagsTimesAndFolding) {
  SignerParams p = params_for(*rsa_, Canon::relaxed, Canon::relaxed);
  p.expiration = kNow + 86400;
  const SigningInput in = prepare_signature(kMessage, p);
  const std::string field = finish_signature(in.header_without_b, testing::sign_digest(*rsa_, in.digest));
  EXPECT_EQ(in.header_without_b.rfind("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; ", 0), 0u)
      << in.header_without_b;
  EXPECT_EQ(in.header_without_b.substr(in.header_without_b.size() - 2), "b=");
  ASSERT_EQ(field.substr(field.size() - 2), "\r\n");
  std::size_t start = 0;
  while (start < field.size()) {  // every line within 76 octets, continuation lines start with SP
    const std::size_t end = field.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 76u) << field.substr(start, end - start);
    if (start > 0) {
      EXPECT_EQ(field[start], ' ');
    }
    start = end + 2;
  }
  const std::string unfolded = mime::unfold(field.substr(field.find(':') + 1));
  const SignatureParse parsed = parse_signature(unfolded);
  ASSERT_TRUE(parsed.ok()) << parsed.error->reason;
  EXPECT_EQ(parsed.signature.domain, "example.test");
  EXPECT_EQ(parsed.signature.selector, "rsa");
  EXPECT_EQ(parsed.signature.timestamp, kNow);
  EXPECT_EQ(parsed.signature.expiration, kNow + 86400);
  EXPECT_FALSE(parsed.signature.body_length);
  EXPECT_EQ(parsed.signature.signed_headers,
            (std::vector<std::string>{"from", "from", "to", "subject", "date", "message-id"}));
  const auto results = verify_all(field + kMessage, {rsa_});
  EXPECT_EQ(results[0].result, Result::pass) << results[0].reason;
  // Past x= (beyond the verifier's skew) is refused by the verifier: x= is really written.
  VerifyOptions options;
  const PreparedMessage late = prepare(field + kMessage, static_cast<int64_t>(kNow) + 90000, options);
  ASSERT_EQ(late.signatures.size(), 1u);
  EXPECT_TRUE(late.signatures[0].decided);
  EXPECT_EQ(late.signatures[0].result.result, Result::policy);
}

// RFC 8463 Appendix A: the same tags as the published signatures (h=, t=, c=, i=, q=) give
// digests that the keystore's DkimKey signs into exactly the published b= values.
TEST(SignerRfc8463, ReproducesThePublishedSignaturesWithTheKeystoresCode) {
  const std::string dir = testing::suite_path("dkim/rfc8463");
  ASSERT_TRUE(std::filesystem::exists(dir + "/signed.eml")) << dir;
  const std::string published = testing::read_file(dir + "/signed.eml");
  const std::string message = published.substr(published.find("From: Joe"));

  const std::string seed = encoding::base64_decode(testing::strip_trailing_newline(
                                                       testing::read_file(dir + "/ed25519.seed.b64")))
                               .value_or("");
  ASSERT_EQ(seed.size(), 32u);
  // PKCS#8 PrivateKeyInfo of an Ed25519 seed (RFC 8410 7): fixed prefix + the 32 bytes.
  const std::string ed_der = std::string("\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20", 16) + seed;
  auto ed = keystore::DkimKey::from_der(ed_der);
  ASSERT_TRUE(ed.ok()) << ed.error().message;
  auto rsa = keystore::DkimKey::from_pem(testing::read_file(dir + "/rsa-1024.pem"));
  ASSERT_TRUE(rsa.ok()) << rsa.error().message;

  SignerParams p;
  p.domain = "football.example.com";
  p.identity = "@football.example.com";
  p.write_query_method = true;
  p.timestamp = 1528637909;
  p.explicit_signed_headers = std::vector<std::string>{"from", "to", "subject", "date",
                                                       "message-id", "from", "subject", "date"};
  p.h_separator = " : ";
  SignerParams pe = p;
  pe.selector = "brisbane";
  pe.algorithm = Algorithm::ed25519_sha256;
  SignerParams pr = p;
  pr.selector = "test";
  pr.algorithm = Algorithm::rsa_sha256;
  const auto inputs = prepare_signatures(message, {pe, pr});

  const char* expected[] = {
      "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==",
      "F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9"
      "mPYQTnGdaSGsgeefOsk2JzdA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8="};
  const keystore::DkimKey* keys[] = {&ed.value(), &rsa.value()};
  std::string fields;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_NE(inputs[i].header_without_b.find("bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;"),
              std::string::npos);
    auto sig = keys[i]->sign_digest(inputs[i].digest);
    ASSERT_TRUE(sig.ok()) << sig.error().message;
    EXPECT_EQ(encoding::base64_encode(sig.value()), expected[i]) << i;
    EXPECT_EQ(keys[i]->algorithm(), i == 0 ? "ed25519-sha256" : "rsa-sha256");
    fields += finish_signature(inputs[i].header_without_b, sig.value());
  }
  // And our fields (our folding) verify against the published keys.
  dns::Answer<std::string> ed_key, rsa_key;
  ed_key.status = rsa_key.status = dns::Status::ok;
  ed_key.records = {ed.value().dns_record()};
  rsa_key.records = {rsa.value().dns_record()};
  VerifyOptions options;
  const PreparedMessage prepared = prepare(fields + message, 1528637909 + 60, options);
  ASSERT_EQ(prepared.signatures.size(), 2u);
  EXPECT_EQ(conclude(prepared.signatures[0], ed_key, options).result, Result::pass);
  EXPECT_EQ(conclude(prepared.signatures[1], rsa_key, options).result, Result::pass);
}

}  // namespace
}  // namespace postern::mailauth::dkim
