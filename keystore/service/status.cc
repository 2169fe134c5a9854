#include "keystore/service/status.h"

#include <string>

namespace postern::keystore::service {

grpc::StatusCode status_code_for(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
    case Errc::malformed:
    case Errc::unsupported_version:
    case Errc::authentication_failed:
    case Errc::wrong_password:
    case Errc::tampered:
    case Errc::unsupported_key:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case Errc::not_found:
      return grpc::StatusCode::NOT_FOUND;
    case Errc::already_exists:
      return grpc::StatusCode::ALREADY_EXISTS;
    case Errc::no_credstore:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case Errc::resource:
      return grpc::StatusCode::UNAVAILABLE;
  }
  return grpc::StatusCode::INTERNAL;
}

grpc::Status to_status(const Error& error) {
  const grpc::StatusCode code = status_code_for(error.code);
  if (error.code == Errc::no_credstore) {
    std::string message = error.message.empty() ? "no credential store" : error.message;
    if (message.find(kNoCredstoreHint) == std::string::npos) {
      message += "; ";
      message += kNoCredstoreHint;
    }
    return grpc::Status(code, message);
  }
  return grpc::Status(code, error.message);
}

}  // namespace postern::keystore::service
