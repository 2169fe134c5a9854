// The keystore's storage backend as configured (keystore.backend, docs/config.md): RocksDB
// under keystore.data_dir, owned by this keystore alone, or etcd (keystore.etcd), shared by
// every replica of the keystore cluster and watched for their changes.
//
// SECURITY: either backend holds only sealed values (store.h). The etcd connection is
// plaintext gRPC without etcd authentication (etcd_store.h): keystore.etcd.endpoints must be
// on a trusted network; what crosses it reveals which keys exist, never a key.
#pragma once

#include <memory>
#include <string>

#include "common/config/config.h"
#include "keystore/result.h"
#include "keystore/store.h"
#include "keystore/store_watch.h"

namespace postern::keystore::service {

struct OpenedStore {
  std::unique_ptr<Store> store;
  // The same object's watch when replicas share the Store (etcd), else nullptr.
  StoreWatcher* watcher = nullptr;
  // For logs and errors: "RocksDB in DIR" / "etcd a:2379,b:2379 under /postern/keystore/".
  std::string where;
};

// Opens the configured backend. RocksDB: the Store's errors (a path, a lock held by another
// process). etcd: invalid_argument for bad options only; no I/O (etcd_store.h).
Result<OpenedStore> make_store(const config::Keystore& keystore);

}  // namespace postern::keystore::service
