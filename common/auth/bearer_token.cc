#include "common/auth/bearer_token.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace postern::auth {

bool bearer_token_matches(std::string_view metadata_value, std::string_view token) {
  constexpr std::string_view kScheme = "Bearer ";
  if (token.empty()) return false;
  const bool has_scheme = metadata_value.starts_with(kScheme);
  const std::string_view presented =
      has_scheme ? metadata_value.substr(kScheme.size()) : std::string_view();
  unsigned char a[SHA256_DIGEST_LENGTH];
  unsigned char b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0 && has_scheme;
}

}  // namespace postern::auth
