// One keystore endpoint of cluster.keystores as the router's keystore client sees it, and the
// rules both of its calls (Sign through the SignCoalescer, GetSecret directly) share: which
// answers move on to the next endpoint, how much of a call's deadline is left, and how a
// failed call is described in logs and the queue listing.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "postern/v1/keystore.grpc.pb.h"

namespace postern::router::signing {

struct KeystoreEndpoint {
  std::string address;  // host:port, for messages
  std::unique_ptr<v1::Keystore::Stub> stub;
};

// Only "could not reach it" and "no answer in time" move a call to the next endpoint: any
// other answer (NOT_FOUND, UNAUTHENTICATED, ...) would be the same elsewhere.
bool try_next_endpoint(grpc::StatusCode code);

// What is left of a call's overall deadline `end` (at least 1 ms, so a late endpoint still
// gets a real attempt that fails fast instead of none).
std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point end);

// "keystore 127.0.0.1:7002 unavailable" / "... did not answer in time" /
// "... refused the cluster token (...)" / "keystore A: NOT_FOUND <message>".
// Never contains the token.
std::string describe_failure(const std::string& address, const grpc::Status& status);

}  // namespace postern::router::signing
