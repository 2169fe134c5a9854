#include "keystore/service/make_store.h"

#include <utility>

#include "keystore/etcd_store.h"
#include "keystore/rocksdb_store.h"

namespace postern::keystore::service {

Result<OpenedStore> make_store(const config::Keystore& keystore) {
  OpenedStore out;
  if (keystore.backend == config::KeystoreBackend::rocksdb) {
    Result<std::unique_ptr<RocksDbStore>> store = RocksDbStore::open(keystore.data_dir);
    if (!store.ok()) return store.error();
    out.store = std::move(store).value();
    out.where = "RocksDB in " + keystore.data_dir;
    return out;
  }
  EtcdOptions options;
  std::string endpoints;
  for (const config::HostPort& e : keystore.etcd.endpoints) {
    options.endpoints.push_back(e.to_string());
    endpoints += (endpoints.empty() ? "" : ",") + e.to_string();
  }
  options.prefix = keystore.etcd.prefix;
  options.call_timeout = keystore.etcd.timeout;
  Result<std::unique_ptr<EtcdStore>> store = EtcdStore::open(std::move(options));
  if (!store.ok()) return store.error();
  out.watcher = store.value().get();
  out.store = std::move(store).value();
  out.where = "etcd " + endpoints + " under " + keystore.etcd.prefix;
  return out;
}

}  // namespace postern::keystore::service
