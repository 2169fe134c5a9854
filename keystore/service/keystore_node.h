// The keystore role: storage, the node identity, the vault, and the gRPC server that exposes
// it (postern.v1.Keystore, postern.v1.KeyManagement, grpc.health.v1.Health) on
// keystore.listen.
//
// Storage is keystore.backend (make_store.h): RocksDB under keystore.data_dir, or etcd
// shared by every keystore replica (keystore.etcd), whose watch keeps this replica's vault in
// step with the others (vault_follower.h). With etcd the replica keeps no state of its own
// besides its identity; it needs etcd at start, and once started it signs with the keys it
// holds while etcd is unreachable (key changes then fail with UNAVAILABLE naming etcd).
//
// SECURITY: this process holds every private key of the cluster. The identity file
// (keystore.identity, mode 0600) is the only secret on disk; storage (keystore.data_dir or
// etcd) holds only sealed entries (keystore/store.h). Keystore calls need the cluster token
// (cluster.token_file), KeyManagement calls the admin token (admin.token_file); both files
// are created (mode 0600) when missing. The server speaks plaintext gRPC: bind it to loopback
// or a cluster network (mTLS arrives with the cluster issue).
#pragma once

#include <chrono>
#include <memory>

#include "common/config/config.h"

namespace postern::keystore::service {

class KeystoreNode {
 public:
  // Opens the store (keystore.backend), loads or creates the identity, opens the vault
  // (unwrapping every NEK, opening every DKIM key), reads both tokens, and with etcd starts
  // following the other replicas' changes. Throws std::runtime_error naming
  // what is wrong (a path, a NEK that does not unwrap with this identity).
  explicit KeystoreNode(const config::Config& config);
  ~KeystoreNode();
  KeystoreNode(const KeystoreNode&) = delete;
  KeystoreNode& operator=(const KeystoreNode&) = delete;

  // Starts the gRPC server on keystore.listen. Throws when the address cannot be bound.
  void start();

  // Health NOT_SERVING, refuses new calls, lets calls in progress finish until `deadline`
  // (then cancels them), and closes the vault and the store. Returns when all is stopped.
  void shutdown(std::chrono::steady_clock::time_point deadline);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace postern::keystore::service
