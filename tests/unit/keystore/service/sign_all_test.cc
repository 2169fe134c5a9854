// The Sign adapter's rules over a scripted vault: 1..64 digests, order kept, all or nothing.
#include <gtest/gtest.h>

#include "keystore/service/signing_service.h"

namespace postern::keystore::service {
namespace {

Error nope() { return make_error(Errc::invalid_argument, "not scripted"); }

// Signs "sig:<selector>:<digest>" for domain example.com; other domains are not_found.
class ScriptedVault final : public KeyVault {
 public:
  ScriptedVault() : identity_(Identity::generate().value()) {}
  const Identity& identity() const override { return identity_; }
  Result<NekInfo> create_nek(std::string_view) override { return nope(); }
  Result<std::vector<NekInfo>> list_neks() override { return nope(); }
  Result<std::string> export_nek(std::string_view, std::string_view, PasswordLimits) override {
    return nope();
  }
  Result<NekInfo> import_nek(std::string_view, std::string_view, bool) override { return nope(); }
  Result<CredstoreInfo> create_credstore(std::string_view) override { return nope(); }
  Result<CredstoreInfo> credstore() override { return nope(); }
  Result<DkimKeyInfo> create_dkim(std::string_view, std::string_view, KeyType, int) override {
    return nope();
  }
  Result<DkimKeyInfo> import_dkim(std::string_view, std::string_view, std::string_view,
                                  bool) override {
    return nope();
  }
  Result<std::vector<DkimKeyInfo>> list_dkim(std::string_view) override { return nope(); }
  Result<DkimKeyInfo> dkim_info(std::string_view, std::string_view) override { return nope(); }
  Result<bool> delete_dkim(std::string_view, std::string_view) override { return nope(); }
  Result<ExportedBundle> export_dkim_bundle(std::string_view, std::string_view,
                                            const BundleProtection&) override {
    return nope();
  }
  Result<BundleImport> import_bundle(std::string_view, std::string_view, bool) override {
    return nope();
  }
  Result<SecretInfo> set_secret(std::string_view, std::string_view, std::string_view) override {
    return nope();
  }
  Result<std::vector<SecretInfo>> list_secrets() override { return nope(); }
  Result<SecretValue> get_secret(std::string_view) override { return nope(); }
  Result<bool> delete_secret(std::string_view) override { return nope(); }
  std::optional<Error> apply(const StoreChange&) override { return nope(); }

  Result<Signed> sign(std::string_view domain, std::string_view selector,
                      std::string_view digest) override {
    ++calls;
    if (domain != "example.com") {
      return make_error(Errc::not_found, "no DKIM key " + std::string(selector) +
                                             "._domainkey." + std::string(domain));
    }
    if (digest.size() != 32) return make_error(Errc::invalid_argument, "digest is not 32 bytes");
    return Signed{"ed25519-sha256", "sig:" + std::string(selector) + ":" + std::string(digest)};
  }

  int calls = 0;

 private:
  Identity identity_;
};

void add(postern::v1::SignRequest& r, const std::string& domain, const std::string& selector,
         const std::string& digest = std::string(32, 'd')) {
  auto* d = r.add_digests();
  d->set_domain(domain);
  d->set_selector(selector);
  d->set_digest(digest);
}

TEST(SignAll, SignsEveryDigestInOrder) {
  ScriptedVault vault;
  postern::v1::SignRequest request;
  add(request, "example.com", "a");
  add(request, "example.com", "b");
  postern::v1::SignReply reply;
  ASSERT_TRUE(sign_all(vault, request, &reply).ok());
  ASSERT_EQ(reply.signatures_size(), 2);
  EXPECT_EQ(reply.signatures(0).algorithm(), "ed25519-sha256");
  EXPECT_EQ(reply.signatures(0).signature(), "sig:a:" + std::string(32, 'd'));
  EXPECT_EQ(reply.signatures(1).signature(), "sig:b:" + std::string(32, 'd'));
}

TEST(SignAll, OneFailureFailsTheWholeCallAndNamesIt) {
  ScriptedVault vault;
  postern::v1::SignRequest request;
  add(request, "example.com", "a");
  add(request, "other.org", "s9");
  add(request, "example.com", "c");
  postern::v1::SignReply reply;
  const grpc::Status s = sign_all(vault, request, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(s.error_message().find("digest 1"), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find("s9"), std::string::npos);
  EXPECT_NE(s.error_message().find("other.org"), std::string::npos);
  EXPECT_EQ(reply.signatures_size(), 0);  // never a partial set
  EXPECT_EQ(vault.calls, 2);              // stops at the failure
}

TEST(SignAll, ABadDigestIsInvalidArgument) {
  ScriptedVault vault;
  postern::v1::SignRequest request;
  add(request, "example.com", "a", "short");
  postern::v1::SignReply reply;
  EXPECT_EQ(sign_all(vault, request, &reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(SignAll, OneToSixtyFourDigests) {
  ScriptedVault vault;
  postern::v1::SignReply reply;
  EXPECT_EQ(sign_all(vault, postern::v1::SignRequest(), &reply).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  postern::v1::SignRequest request;
  for (int i = 0; i < kMaxDigestsPerSign; ++i) add(request, "example.com", "s");
  ASSERT_TRUE(sign_all(vault, request, &reply).ok());
  EXPECT_EQ(reply.signatures_size(), kMaxDigestsPerSign);
  add(request, "example.com", "s");
  postern::v1::SignReply too_many;
  const grpc::Status s = sign_all(vault, request, &too_many);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("at most 64"), std::string::npos);
  EXPECT_EQ(too_many.signatures_size(), 0);
}

// signperf: the failing digest's index is reported (the service sends it as a trailer so a
// router that coalesced several messages re-sends only the failing one alone).
TEST(SignAll, ReportsTheFailingDigestsIndex) {
  ScriptedVault vault;
  postern::v1::SignRequest request;
  add(request, "example.com", "a");
  add(request, "example.com", "b");
  add(request, "other.org", "s9");
  postern::v1::SignReply reply;
  int failed = -1;
  EXPECT_FALSE(sign_all(vault, request, &reply, &failed).ok());
  EXPECT_EQ(failed, 2);
  postern::v1::SignRequest good;
  add(good, "example.com", "a");
  int untouched = -7;
  EXPECT_TRUE(sign_all(vault, good, &reply, &untouched).ok());
  EXPECT_EQ(untouched, -7);
}

}  // namespace
}  // namespace postern::keystore::service
