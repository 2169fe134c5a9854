#include "edge/password.h"

#include <gtest/gtest.h>

namespace postern::edge {
namespace {

TEST(Password, HashIsArgon2idAndVerifies) {
  const std::string h = hash_password("correct horse");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
  EXPECT_TRUE(verify_password(h, "correct horse"));
  EXPECT_FALSE(verify_password(h, "correct horsf"));
  EXPECT_NE(hash_password("correct horse"), h);  // salted
}

TEST(Password, GarbageHashesNeverVerify) {
  EXPECT_FALSE(verify_password("", ""));
  EXPECT_FALSE(verify_password("plaintext", "plaintext"));
  EXPECT_FALSE(verify_password("$argon2id$v=19$m=65536,t=2,p=1$broken", "x"));
}

}  // namespace
}  // namespace postern::edge
