// The router's view of the keystore's signing oracle (proto/postern/v1/keystore.proto,
// service Keystore): sign a batch of digests, read a secret. An interface so the scheduler's
// signing step and the SMTP deliverer are unit-tested with a fake; grpc_keystore_client.h is
// the real one.
//
// Contract: both calls are awaited on the router's delivery executor and complete there.
// They never throw for keystore or network trouble: a failure is a value with a reason that
// names the keystore and what went wrong ("keystore 127.0.0.1:7002 unavailable"), safe to
// log and to show in `posternctl queue show`. A sign() result is all-or-nothing: one
// signature per digest, in order, or an error.
//
// SECURITY: a Secret's value is a password: callers never log it. Digests are not secret.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

namespace postern::router::signing {

struct DigestToSign {
  std::string domain;    // d=
  std::string selector;  // s=
  std::string digest;    // 32 octets: SHA-256 of the header hash input
};

struct SignedDigest {
  std::string algorithm;  // "rsa-sha256" | "ed25519-sha256": the key's algorithm
  std::string signature;  // raw b= bytes
};

struct SignResult {
  bool ok = false;
  std::vector<SignedDigest> signatures;  // ok: one per digest, same order
  std::string error;                     // !ok: why, for logs and the queue listing
};

struct SecretResult {
  bool ok = false;
  std::string username;
  std::string value;  // SECURITY: never logged
  std::string error;  // !ok: why (never contains the value)
};

class KeystoreClient {
 public:
  virtual ~KeystoreClient() = default;
  virtual boost::asio::awaitable<SignResult> sign(std::vector<DigestToSign> digests) = 0;
  virtual boost::asio::awaitable<SecretResult> get_secret(std::string name) = 0;
};

}  // namespace postern::router::signing
