#include "keystore/service/auth.h"

namespace postern::keystore::service {

grpc::Status unauthenticated(std::string_view which_token) {
  return grpc::Status(grpc::UNAUTHENTICATED,
                      "missing or wrong " + std::string(which_token) + " token");
}

}  // namespace postern::keystore::service
