#include "keystore/service/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "common/log/log.h"

namespace postern::keystore::service {

bool bearer_token_matches(std::string_view value, std::string_view token) {
  constexpr std::string_view kScheme = "Bearer ";
  if (token.empty()) return false;
  const bool has_scheme = value.starts_with(kScheme);
  const std::string_view presented = has_scheme ? value.substr(kScheme.size()) : std::string_view();
  unsigned char a[SHA256_DIGEST_LENGTH];
  unsigned char b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0 && has_scheme;
}

bool TokenCheck::authorized(const grpc::CallbackServerContext& context) const {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  const std::string_view value = it == metadata.end()
                                     ? std::string_view()
                                     : std::string_view(it->second.data(), it->second.size());
  if (bearer_token_matches(value, token_)) return true;
  log::get("keystore")->warn("{} call from {} refused: bad or missing token", service_,
                             context.peer());
  return false;
}

grpc::Status unauthenticated(std::string_view which_token) {
  return grpc::Status(grpc::UNAUTHENTICATED,
                      "missing or wrong " + std::string(which_token) + " token");
}

}  // namespace postern::keystore::service
