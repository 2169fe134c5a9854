// Wiring of the keystore role; every decision lives in the pieces it connects.
#include "keystore/service/keystore_node.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "common/auth/authorization.h"
#include "common/grpc_tls/role_server.h"
#include "common/log/log.h"
#include "keystore/identity.h"
#include "keystore/service/key_management_service.h"
#include "keystore/service/make_store.h"
#include "keystore/service/signing_service.h"
#include "keystore/service/vault_follower.h"
#include "keystore/vault.h"

namespace postern::keystore::service {
namespace {

template <class T>
T opened(Result<T> result, const std::string& what) {
  if (!result.ok()) throw std::runtime_error("keystore: " + what + ": " + result.error().message);
  return std::move(result).value();
}

std::string storage_description(const config::Keystore& k) {
  return k.backend == config::KeystoreBackend::rocksdb ? "storage in " + k.data_dir
                                                       : "the etcd store";
}

// The identity file's directory: RocksDB creates the data dir itself; with etcd nothing else
// does (keystore.identity defaults to <data_dir>/keystore/identity.key).
Identity load_identity(const config::Keystore& k) {
  const std::filesystem::path parent = std::filesystem::path(k.identity).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      throw std::runtime_error("keystore: cannot create " + parent.string() + ": " +
                               ec.message());
    }
  }
  return opened(Identity::load_or_create(k.identity), "identity " + k.identity);
}

VaultOptions vault_options(const OpenedStore& storage, std::shared_ptr<spdlog::logger> log) {
  VaultOptions options;
  options.shared = storage.watcher != nullptr;
  options.warn = [log = std::move(log)](const std::string& message) {
    log->warn("keystore: {}", message);
  };
  return options;
}

}  // namespace

// Declared in dependency order: destruction runs bottom-up, so the server goes before the
// follower, the follower (its watch and thread) and the services (and the admin worker)
// before the vault, the vault before the store.
struct KeystoreNode::Impl {
  explicit Impl(const config::Config& c)
      : config(c),
        log(log::get("keystore")),
        storage(opened(make_store(config.keystore),
                       "cannot open " + storage_description(config.keystore))),
        vault(opened(KeyVault::open(*storage.store, load_identity(config.keystore),
                                    vault_options(storage, log)),
                     "cannot open the vault in " + storage.where)),
        signing(*vault, auth::cluster_callers(config, config::load_or_create_cluster_token(config))),
        management(*vault, auth::admin_callers(config, config::load_or_create_admin_token(config)),
                   config.node.name) {
    // The watch's first report is a resync: changes made between the open above and the
    // watch's start are read then.
    if (storage.watcher != nullptr) {
      follower = std::make_unique<VaultFollower>(*vault, *storage.watcher, log);
    }
  }

  const config::Config config;
  std::shared_ptr<spdlog::logger> log;
  OpenedStore storage;
  std::unique_ptr<KeyVault> vault;
  SigningService signing;
  KeyManagementService management;
  std::unique_ptr<VaultFollower> follower;  // etcd only
  std::unique_ptr<grpc::Server> server;
  bool stopped = false;
};

KeystoreNode::KeystoreNode(const config::Config& config) : impl_(std::make_unique<Impl>(config)) {}

KeystoreNode::~KeystoreNode() {
  if (!impl_->stopped) shutdown(std::chrono::steady_clock::now());
}

void KeystoreNode::start() {
  Impl& s = *impl_;
  const std::string address = s.config.keystore.listen.to_string();
  s.server = grpc_tls::start_role_server(s.config, "keystore", address,
                                         {{&s.signing, "postern.v1.Keystore"},
                                          {&s.management, "postern.v1.KeyManagement"}});
  s.log->info("keystore {} listening on {} (identity {}, data in {})", s.config.node.name,
              address, s.vault->identity().public_key_base64(), s.storage.where);
}

void KeystoreNode::shutdown(std::chrono::steady_clock::time_point deadline) {
  Impl& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  if (s.server) {
    if (auto* health = s.server->GetHealthCheckService()) health->Shutdown();  // NOT_SERVING
    s.server->Shutdown(std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::system_clock::duration>(
                           deadline - std::chrono::steady_clock::now()));
    s.server->Wait();
  }
  s.follower.reset();  // stops the watch before the vault and the store go
  s.log->info("keystore stopped");
}

}  // namespace postern::keystore::service
