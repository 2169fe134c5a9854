#include "router/signing/keystore_endpoint.h"

#include <algorithm>

namespace postern::router::signing {

bool try_next_endpoint(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point end) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      end - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

std::string describe_failure(const std::string& address, const grpc::Status& status) {
  const std::string who = "keystore " + address;
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE: return who + " unavailable";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return who + " did not answer in time";
    case grpc::StatusCode::UNAUTHENTICATED:
      return who + " refused the cluster token (cluster.token_file differs?)";
    default: break;
  }
  static const char* const names[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  const int code = static_cast<int>(status.error_code());
  const std::string name = code >= 0 && code <= 16 ? names[code] : std::to_string(code);
  return who + ": " + name + (status.error_message().empty() ? "" : " " + status.error_message());
}

}  // namespace postern::router::signing
