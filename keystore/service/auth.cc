#include "keystore/service/auth.h"

#include "common/log/log.h"

namespace postern::keystore::service {

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
