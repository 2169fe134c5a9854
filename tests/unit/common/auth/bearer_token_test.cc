#include "common/auth/bearer_token.h"

#include <gtest/gtest.h>

#include <string>

namespace postern::auth {
namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

TEST(BearerToken, AcceptsExactlyBearerAndTheToken) {
  EXPECT_TRUE(bearer_token_matches(std::string("Bearer ") + kToken, kToken));
  EXPECT_TRUE(bearer_token_matches("Bearer x", "x"));
}

TEST(BearerToken, RefusesEverythingElse) {
  const std::string token = kToken;
  for (const std::string& value :
       {std::string(), token, "bearer " + token, "BEARER " + token, "Bearer  " + token,
        " Bearer " + token, "Bearer " + token + " ", "Bearer " + token + "\r\n",
        "Bearer " + token.substr(1), "Bearer " + token + "0", "Basic " + token,
        std::string("Bearer "), std::string("Bearer"), "Bearer" + token,
        "Bearer " + token.substr(0, 31) + "F"}) {
    EXPECT_FALSE(bearer_token_matches(value, token)) << value;
  }
}

TEST(BearerToken, AnEmptyTokenMatchesNothing) {
  EXPECT_FALSE(bearer_token_matches("Bearer ", ""));
  EXPECT_FALSE(bearer_token_matches("", ""));
  EXPECT_FALSE(bearer_token_matches("Bearer", ""));
}

TEST(BearerToken, ComparesEveryByteIncludingNul) {
  const std::string token("ab\0cd", 5);
  EXPECT_TRUE(bearer_token_matches("Bearer " + token, token));
  EXPECT_FALSE(bearer_token_matches("Bearer " + std::string("ab\0ce", 5), token));
  EXPECT_FALSE(bearer_token_matches("Bearer ab", token));  // a C-string compare would stop here
}

TEST(BearerToken, LongTokensAndValues) {
  const std::string token(4096, 'k');
  EXPECT_TRUE(bearer_token_matches("Bearer " + token, token));
  EXPECT_FALSE(bearer_token_matches("Bearer " + token + "k", token));
  EXPECT_FALSE(bearer_token_matches("Bearer " + std::string(1 << 20, 'k'), token));
}

}  // namespace
}  // namespace postern::auth
