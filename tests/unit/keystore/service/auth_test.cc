#include "keystore/service/auth.h"

#include <gtest/gtest.h>

namespace postern::keystore::service {
namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

TEST(BearerToken, AcceptsExactlyBearerAndTheToken) {
  EXPECT_TRUE(bearer_token_matches(std::string("Bearer ") + kToken, kToken));
}

TEST(BearerToken, RefusesEverythingElse) {
  const std::string token = kToken;
  for (const std::string& value :
       {std::string(), token, "bearer " + token, "Bearer  " + token, "Bearer " + token + " ",
        "Bearer " + token.substr(1), "Bearer " + token + "0", "Basic " + token,
        std::string("Bearer "), "Bearer " + token.substr(0, 31) + "F"}) {
    EXPECT_FALSE(bearer_token_matches(value, token)) << value;
  }
}

TEST(BearerToken, AnEmptyTokenMatchesNothing) {
  EXPECT_FALSE(bearer_token_matches("Bearer ", ""));
  EXPECT_FALSE(bearer_token_matches("", ""));
}

TEST(TokenCheck, RefusalNamesTheTokenNotWhatWasPresented) {
  const grpc::Status s = TokenCheck("Keystore", kToken).refusal("cluster");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(s.error_message(), "missing or wrong cluster token");
}

TEST(TokenCheck, RefusalNamesTheCertificateListWhenCertificatesMayStandIn) {
  auth::CallerRule rule{kToken, {"router1"}, "cluster.tls.routers"};
  const grpc::Status s = TokenCheck("Keystore", rule).refusal("cluster");
  EXPECT_EQ(s.error_message(),
            "missing or wrong cluster token or client certificate listed in cluster.tls.routers");
}

}  // namespace
}  // namespace postern::keystore::service
