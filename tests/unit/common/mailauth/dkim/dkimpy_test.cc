// Interoperability with dkimpy (python3-dkim), an independent signer: RSA 2048 and Ed25519,
// every canonicalization, with and without l=, verified through the real c-ares resolver
// against the dnslib fixture serving dkimpy's key records. rsa-sha1 and a 512-bit RSA key
// fail (RFC 8301); any change to a signed header or the body fails; a revoked key and a DNS
// timeout give their RFC results.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "common/mailauth/dkim/verifier.h"
#include "tests/unit/common/dns/child_process.h"
#include "tests/unit/common/dns/dns_fixture.h"
#include "tests/unit/common/dns/run_awaitable.h"
#include "tests/unit/common/mailauth/dkim/test_keys.h"

namespace postern::mailauth::dkim {
namespace {

using postern::testing::run_awaitable;

// Extra records: a revoked key, and (by the fixture's rule) silence for anything under
// silent.test.
constexpr const char* kExtraZone =
    "revoked._domainkey.dkimpy.test. 300 IN TXT \"v=DKIM1; k=rsa; p=\"\n";

class DkimpyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new postern::testing::TempDir();
    const std::string cmd = "/usr/bin/python3 " +
                            postern::testing::source_path(
                                "tests/unit/common/mailauth/dkim/dkimpy_sign.py") +
                            " " + dir_->path();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    dns_ = new postern::testing::DnsFixture(testing::read_file(dir_->path() + "/keys.zone") +
                                            kExtraZone);
  }
  static void TearDownTestSuite() {
    delete dns_;
    delete dir_;
    dns_ = nullptr;
    dir_ = nullptr;
  }

  Verification verify(const std::string& message) {
    auto resolver = dns::make_cares_resolver(io_.get_executor(),
                                             dns_->config(std::chrono::milliseconds(300), 1));
    // dkimpy stamps t= with the real clock, so the real clock is the verifier's "now" here.
    return run_awaitable(io_, verify_message(*resolver, message, std::time(nullptr)));
  }

  std::vector<std::pair<std::string, std::string>> manifest() {
    std::istringstream in(testing::read_file(dir_->path() + "/manifest"));
    std::vector<std::pair<std::string, std::string>> out;
    std::string file, expected;
    while (in >> file >> expected) out.emplace_back(file, expected);
    return out;
  }

  boost::asio::io_context io_;
  static postern::testing::TempDir* dir_;
  static postern::testing::DnsFixture* dns_;
};
postern::testing::TempDir* DkimpyTest::dir_ = nullptr;
postern::testing::DnsFixture* DkimpyTest::dns_ = nullptr;

TEST_F(DkimpyTest, EveryCaseGivesItsExpectedResult) {
  const auto cases = manifest();
  ASSERT_EQ(cases.size(), 18u);
  for (const auto& [file, expected] : cases) {
    const Verification v = verify(testing::read_file(dir_->path() + "/" + file));
    ASSERT_EQ(v.signatures.size(), 1u) << file;
    const SignatureResult& r = v.signatures[0];
    EXPECT_EQ(to_string(r.result), expected) << file << ": " << r.reason;
    EXPECT_EQ(r.domain, "dkimpy.test") << file;
  }
}

TEST_F(DkimpyTest, FailureReasons) {
  const Verification sha1 = verify(testing::read_file(dir_->path() + "/rsa-sha1.eml"));
  ASSERT_EQ(sha1.signatures.size(), 1u);
  EXPECT_EQ(sha1.signatures[0].reason, "rsa-sha1 is not accepted (RFC 8301)");
  const Verification small = verify(testing::read_file(dir_->path() + "/rsa-512.eml"));
  ASSERT_EQ(small.signatures.size(), 1u);
  EXPECT_EQ(small.signatures[0].reason, "RSA key of 512 bits is too small (RFC 8301)");
}

TEST_F(DkimpyTest, AnyChangeToASignedHeaderOrTheBodyFails) {
  for (const auto& [file, expected] : manifest()) {
    if (expected != "pass") continue;
    const std::string original = testing::read_file(dir_->path() + "/" + file);
    const std::string changes[][2] = {
        {"Subject: a folded", "Subject: a Folded"},
        {"bob@example.net", "bob@example.com"},
        {"Tabbed  line", "Tabbed  lime"},
        {"last line", "last  line!"},
    };
    for (const auto& [from, to] : changes) {
      std::string changed = original;
      const std::size_t at = changed.find(from);
      ASSERT_NE(at, std::string::npos) << from;
      changed.replace(at, from.size(), to);
      const Verification v = verify(changed);
      ASSERT_EQ(v.signatures.size(), 1u);
      EXPECT_EQ(v.signatures[0].result, Result::fail) << file << " changed " << from;
    }
  }
}

TEST_F(DkimpyTest, RelaxedToleratesWhitespaceChanges) {
  std::string msg = testing::read_file(dir_->path() + "/rsa-relaxed-relaxed.eml");
  msg.replace(msg.find("Tabbed  line"), 12, "Tabbed line ");
  msg.replace(msg.find("To: bob"), 7, "TO:   bob");
  const Verification v = verify(msg);
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_EQ(v.signatures[0].result, Result::pass) << v.signatures[0].reason;
}

TEST_F(DkimpyTest, RevokedKeyIsPermerror) {
  std::string msg = testing::read_file(dir_->path() + "/rsa-relaxed-relaxed.eml");
  msg.replace(msg.find("s=rsa;"), 6, "s=revoked;");
  const Verification v = verify(msg);
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_EQ(v.signatures[0].result, Result::permerror);
  EXPECT_EQ(v.signatures[0].reason, "key revoked (empty p=)");
}

TEST_F(DkimpyTest, MissingKeyIsPermerrorAndDnsTimeoutIsTemperror) {
  std::string missing = testing::read_file(dir_->path() + "/ed-relaxed-relaxed.eml");
  missing.replace(missing.find("s=ed;"), 5, "s=gone;");
  const Verification nx = verify(missing);
  ASSERT_EQ(nx.signatures.size(), 1u);
  EXPECT_EQ(nx.signatures[0].result, Result::permerror);

  // A signature whose key lives under silent.test: the fixture never answers.
  const testing::PrivateKey key = testing::generate_ed25519();
  testing::SignParams p;
  p.domain = "silent.test";
  const std::string msg = testing::sign_message(
      "From: a@silent.test\r\nTo: b@example.net\r\nSubject: s\r\n\r\nbody\r\n", key, p);
  const Verification timeout = verify(msg);
  ASSERT_EQ(timeout.signatures.size(), 1u);
  EXPECT_EQ(timeout.signatures[0].result, Result::temperror) << timeout.signatures[0].reason;
}

}  // namespace
}  // namespace postern::mailauth::dkim
