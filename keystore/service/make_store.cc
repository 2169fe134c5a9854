#include "keystore/service/make_store.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "keystore/etcd_store.h"
#include "keystore/rocksdb_store.h"

namespace postern::keystore::service {
namespace {

// The file at keystore.etcd.tls.<key>, or an error naming the key and the path (never the
// content: one of them is a private key).
Result<std::string> read_tls_file(const std::string& key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().find("-----BEGIN ") == std::string::npos) {
    return make_error(Errc::invalid_argument, "keystore.etcd.tls." + key + ": " +
                                                  (in ? "no PEM block in " : "cannot read ") +
                                                  path);
  }
  return text.str();
}

Result<EtcdTlsPem> read_etcd_tls(const config::EtcdTls& tls) {
  EtcdTlsPem out;
  Result<std::string> ca = read_tls_file("ca", tls.ca);
  if (!ca.ok()) return ca.error();
  out.ca = std::move(ca).value();
  if (!tls.cert.empty()) {
    Result<std::string> cert = read_tls_file("cert", tls.cert);
    if (!cert.ok()) return cert.error();
    Result<std::string> key = read_tls_file("key", tls.key);
    if (!key.ok()) return key.error();
    out.cert = std::move(cert).value();
    out.key = std::move(key).value();
  }
  return out;
}

}  // namespace

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
  if (keystore.etcd.tls) {
    Result<EtcdTlsPem> tls = read_etcd_tls(*keystore.etcd.tls);
    if (!tls.ok()) return tls.error();
    options.tls = std::move(tls).value();
  }
  Result<std::unique_ptr<EtcdStore>> store = EtcdStore::open(std::move(options));
  if (!store.ok()) return store.error();
  out.watcher = store.value().get();
  out.store = std::move(store).value();
  out.where = "etcd " + endpoints + (keystore.etcd.tls ? " (TLS)" : "") + " under " +
              keystore.etcd.prefix;
  return out;
}

}  // namespace postern::keystore::service
