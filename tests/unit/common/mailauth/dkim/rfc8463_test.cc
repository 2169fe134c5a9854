// RFC 8463 Appendix A: the published message verifies with both its signatures through the
// real resolver (keys.zone served by the dnslib fixture), and re-signing its data-to-sign with
// the published private keys reproduces the exact b= values (RSA PKCS#1 v1.5 and Ed25519 are
// deterministic), which proves the builder the router's signing will reuse.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>

#include "common/encoding/base64.h"
#include "common/mailauth/dkim/body_hash.h"
#include "common/mailauth/dkim/data_to_sign.h"
#include "common/mailauth/dkim/verifier.h"
#include "tests/unit/common/dns/dns_fixture.h"
#include "tests/unit/common/dns/run_awaitable.h"
#include "tests/unit/common/mailauth/dkim/test_keys.h"

namespace postern::mailauth::dkim {
namespace {

using testing::read_file;
using testing::suite_path;

constexpr int64_t kSigned = 1528637909;  // t= of both signatures

class Rfc8463Test : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = suite_path("dkim/rfc8463");
    ASSERT_TRUE(std::filesystem::exists(dir_ + "/signed.eml"))
        << "conformance suite missing: " << dir_ << " (expected next to the source tree)";
    message_ = read_file(dir_ + "/signed.eml");
  }

  std::string dir_;
  std::string message_;
};

TEST_F(Rfc8463Test, BothSignaturesVerifyThroughTheResolver) {
  postern::testing::DnsFixture dns(read_file(dir_ + "/keys.zone"));
  boost::asio::io_context io;
  auto resolver = dns::make_cares_resolver(io.get_executor(), dns.config());
  const Verification v =
      postern::testing::run_awaitable(io, verify_message(*resolver, message_, kSigned + 60));
  ASSERT_EQ(v.signatures.size(), 2u);
  EXPECT_EQ(v.ignored, 0u);
  const char* algorithms[] = {"ed25519-sha256", "rsa-sha256"};
  const char* selectors[] = {"brisbane", "test"};
  const char* prefixes[] = {"/gCrinpc", "F45dVWDf"};
  for (std::size_t i = 0; i < 2; ++i) {
    const SignatureResult& r = v.signatures[i];
    EXPECT_EQ(r.result, Result::pass) << selectors[i] << ": " << r.reason;
    EXPECT_EQ(r.domain, "football.example.com");
    EXPECT_EQ(r.selector, selectors[i]);
    EXPECT_EQ(r.algorithm, algorithms[i]);
    EXPECT_EQ(r.b_prefix, prefixes[i]);
  }

  // Any change to the body or a signed header fails both.
  std::string body = message_;
  body.replace(body.find("hungry"), 6, "HUNGRY");
  std::string header = message_;
  header.replace(header.find("dinner"), 6, "supper");
  for (const std::string& changed : {body, header}) {
    const Verification bad =
        postern::testing::run_awaitable(io, verify_message(*resolver, changed, kSigned + 60));
    ASSERT_EQ(bad.signatures.size(), 2u);
    for (const auto& r : bad.signatures) EXPECT_EQ(r.result, Result::fail) << r.reason;
  }
}

TEST_F(Rfc8463Test, ResigningReproducesThePublishedSignatures) {
  const std::string seed_b64 =
      testing::strip_trailing_newline(read_file(dir_ + "/ed25519.seed.b64"));
  const std::string seed = encoding::base64_decode(seed_b64).value_or("");
  ASSERT_EQ(seed.size(), 32u);
  const testing::PrivateKey ed = testing::ed25519_from_seed(seed);
  const testing::PrivateKey rsa = testing::load_private_key_pem(dir_ + "/rsa-1024.pem");
  // The keys are the ones published in A.2.
  EXPECT_EQ(testing::key_record(ed),
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  const std::string zone = read_file(dir_ + "/keys.zone");
  const std::size_t rsa_line = zone.find("test._domainkey");
  ASSERT_NE(rsa_line, std::string::npos);
  std::string published;  // the TXT character-strings of the RSA record, concatenated
  bool quoted = false;
  for (std::size_t i = zone.find('"', rsa_line); i < zone.size() && zone[i] != '\n'; ++i) {
    if (zone[i] == '"') {
      quoted = !quoted;
    } else if (quoted) {
      published += zone[i];
    }
  }
  EXPECT_EQ(testing::key_record(rsa), published);

  const mime::HeaderSplit split = mime::split_header_block(message_);
  const auto fields = mime::parse_fields(split.headers);
  int signatures = 0;
  for (const mime::Field& f : fields) {
    if (!mime::iequals(f.name, "DKIM-Signature")) continue;
    ++signatures;
    const SignatureParse parsed = parse_signature(f.raw_value);
    ASSERT_TRUE(parsed.ok()) << parsed.error->reason;
    const Signature& sig = parsed.signature;
    EXPECT_EQ(body_hash(sig.body_canon, sig.body_length, split.body).digest, sig.body_hash);
    const std::string digest = sha256(header_hash_input(sig.header_canon, fields,
                                                        sig.signed_headers,
                                                        without_b_value(f.raw).value()));
    const testing::PrivateKey& key = sig.algorithm == Algorithm::ed25519_sha256 ? ed : rsa;
    EXPECT_EQ(encoding::base64_encode(testing::sign_digest(key, digest)), sig.b_text)
        << sig.selector;
  }
  EXPECT_EQ(signatures, 2);
}

}  // namespace
}  // namespace postern::mailauth::dkim
