// postern: the server binary. `postern edge|router|keystore|all --config FILE` runs roles;
// `postern check-config FILE` validates a file; `postern hash-password` makes an Argon2id hash;
// `postern keystore-identity create|show FILE` makes or shows a keystore identity file
// (services/identity_command.h; for the Kubernetes Secret).
//
// SECURITY: this main only wires things together. It reads the config file (trusted: written by
// the admin, but still fully validated before anything starts) and, for hash-password, a
// password from the terminal or stdin (never echoed, never logged, wiped after hashing). The
// roles it starts face untrusted input themselves (see edge/edge_node.h, router/router_node.h).
// It needs no privileges: ports below 1024 come from the deployment (CAP_NET_BIND_SERVICE or a
// Service port mapping), never from running as root. With the keystore role it first sets up
// OpenSSL's secure heap (CRYPTO_secure_malloc_init), so OpenSSL keeps DKIM private keys in
// locked memory apart from the normal heap; when the heap cannot be had it goes on without.
// Exit codes: 0 ok, 1 runtime failure (bind, RocksDB, ...), 2 configuration or usage error.
#include <CLI/CLI.hpp>
#include <openssl/crypto.h>

#include <iostream>
#include <string>

#include "common/config/config.h"
#include "common/grpc_tls/tls_files.h"
#include "common/log/log.h"
#include "services/describe.h"
#include "services/password_input.h"
#include "services/roles.h"

#ifdef POSTERN_HAVE_KEYSTORE
#include "services/identity_command.h"
#endif

#if __has_include("edge/password.h")
#include "edge/password.h"
#define POSTERN_HAVE_HASH_PASSWORD 1
#endif

namespace {

using postern::config::ConfigError;
using postern::services::Role;

constexpr int kExitRuntime = 1;
constexpr int kExitConfig = 2;

int check_config(const std::string& path) {
  try {
    const auto config = postern::config::load_config(path);
    // The cluster.tls files as every role reads them at start: present, PEM, the key matching
    // the certificate, the certificate valid under the CA (common/grpc_tls/tls_files.h).
    if (config.cluster.tls) postern::grpc_tls::load_cluster_tls(*config.cluster.tls, path);
    std::cout << path << ": OK\n" << postern::services::summarize(config);
    return 0;
  } catch (const ConfigError& e) {
    std::cerr << e.what() << "\n";
    return kExitConfig;
  }
}

int hash_password() {
#ifdef POSTERN_HAVE_HASH_PASSWORD
  try {
    std::string password = postern::services::read_new_password();
    const std::string hash = postern::edge::hash_password(password);
    postern::services::wipe(password);
    std::cout << hash << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "postern hash-password: " << e.what() << "\n";
    return kExitRuntime;
  }
#else
  std::cerr << "postern hash-password: not available in this build (edge/password.h missing)\n";
  return kExitRuntime;
#endif
}

int keystore_identity(bool create, const std::string& path) {
#ifdef POSTERN_HAVE_KEYSTORE
  return create ? postern::services::identity_create(path, std::cout, std::cerr)
                : postern::services::identity_show(path, std::cout, std::cerr);
#else
  (void)create;
  (void)path;
  std::cerr << "postern keystore-identity: not available in this build (no keystore)\n";
  return kExitRuntime;
#endif
}

// OpenSSL's secure heap for private keys (their BIGNUMs and Ed25519 seeds): 8 MiB holds
// thousands of RSA-4096 keys. Must run before OpenSSL allocates any key. Returns the log line.
std::string init_secure_heap() {
  constexpr size_t kSecureHeapBytes = 8u << 20;
  constexpr size_t kSecureHeapMinBlock = 32;
  switch (CRYPTO_secure_malloc_init(kSecureHeapBytes, kSecureHeapMinBlock)) {
    case 1: return "OpenSSL secure heap: 8 MiB, locked";
    case 2: return "OpenSSL secure heap: 8 MiB, not locked (mlock refused)";
    default: return "";
  }
}

int run(Role role, const std::string& config_path, const std::string& log_level) {
  postern::config::Config config;
  try {
    config = postern::config::load_config(config_path);
    postern::services::check_role_requirements(role, config);
  } catch (const ConfigError& e) {
    std::cerr << e.what() << "\n";
    return kExitConfig;
  }
  const std::string secure_heap =
      role == Role::keystore || role == Role::all ? init_secure_heap() : "";
  postern::log::init(log_level);
  if (!secure_heap.empty()) postern::log::get("postern")->info("{}", secure_heap);
  return postern::services::run_roles(role, config);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Postern: a clustered mail routing service"};
  app.set_version_flag("--version", "postern " POSTERN_VERSION);
  app.require_subcommand(1);

  std::string config_path;
  std::string log_level = "info";
  const std::pair<const char*, Role> roles[] = {
      {"edge", Role::edge}, {"router", Role::router}, {"keystore", Role::keystore},
      {"all", Role::all}};
  std::vector<std::pair<CLI::App*, Role>> role_commands;
  for (const auto& [name, role] : roles) {
    const std::string what =
        role == Role::all ? "keystore, router and edge roles" : std::string(name) + " role";
    auto* cmd = app.add_subcommand(name, "run the " + what);
    cmd->add_option("-c,--config", config_path, "postern.yaml")->required();
    cmd->add_option("--log-level", log_level, "trace, debug, info, warn, error, off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    role_commands.emplace_back(cmd, role);
  }
  std::string check_path;
  auto* check = app.add_subcommand("check-config", "validate a config file and summarize it");
  check->add_option("file", check_path, "postern.yaml")->required();
  auto* hash = app.add_subcommand(
      "hash-password", "print an Argon2id hash of a password (prompted, or stdin's first line)");
  std::string identity_path;
  auto* identity = app.add_subcommand(
      "keystore-identity", "create or show a keystore identity file (keystore.identity)");
  identity->require_subcommand(1);
  auto* identity_create = identity->add_subcommand(
      "create", "create a new identity file (mode 0600; never overwrites) and print its public key");
  identity_create->add_option("file", identity_path, "identity.key")->required();
  auto* identity_show =
      identity->add_subcommand("show", "print the public key of an identity file");
  identity_show->add_option("file", identity_path, "identity.key")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help/version or the usage error
    return code == 0 ? 0 : kExitConfig;
  }

  if (check->parsed()) return check_config(check_path);
  if (hash->parsed()) return hash_password();
  if (identity_create->parsed()) return keystore_identity(/*create=*/true, identity_path);
  if (identity_show->parsed()) return keystore_identity(/*create=*/false, identity_path);
  for (const auto& [cmd, role] : role_commands) {
    if (cmd->parsed()) return run(role, config_path, log_level);
  }
  return kExitConfig;
}
