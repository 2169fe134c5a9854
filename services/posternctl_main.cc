// posternctl: the admin CLI. `posternctl [--server HOST:PORT] [--token-file F | --config FILE]
// queue list|show ID|retry ID|delete ID`, `posternctl keymgmt ...` (the keystore's admin verbs,
// services/ctl_keymgmt.h), and `posternctl health [--server HOST:PORT]`.
//
// SECURITY: posternctl holds the admin token (read from a file or the environment, never from
// the command line where `ps` would show it) and sends it only as gRPC metadata
// "authorization: Bearer <token>" to the server it was pointed at; it never prints or logs it.
// With --config and cluster.tls in it, posternctl connects with mTLS and presents that
// certificate (common/grpc_tls): a certificate named in the server's admin.tls_clients is
// enough without a token. Otherwise the channel is plaintext gRPC: use it on loopback or
// inside the cluster network. It needs no privileges beyond reading the token (or key) file.
// Exit codes: 0 success, 1 any failure (usage errors included).
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include "common/config/config.h"
#include "common/grpc_tls/credentials.h"
#include "services/ctl_commands.h"
#include "services/ctl_explain.h"
#include "services/ctl_keymgmt.h"
#include "services/ctl_target.h"

namespace {

using postern::services::CtlConnection;
using postern::services::CtlOptions;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"posternctl: administer a Postern cluster"};
  app.set_version_flag("--version", "posternctl " POSTERN_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand: `health --server X`

  CtlOptions options;
  int timeout_seconds = 10;
  app.add_option("--server", options.server,
                 "server gRPC address HOST:PORT (default from --config: router.listen, for "
                 "keymgmt keystore.listen; else 127.0.0.1:7001, keymgmt 127.0.0.1:7002)");
  app.add_option("--token-file", options.token_file,
                                   "admin token file (default: $POSTERN_ADMIN_TOKEN, else "
                                   "admin.token_file from --config)");
  app.add_option("--config", options.config_file, "postern.yaml to take defaults from")
      ->check(CLI::ExistingFile);
  app.add_option("--timeout", timeout_seconds, "seconds to wait for an answer")
      ->check(CLI::Range(1, 3600));

  auto* queue = app.add_subcommand("queue", "inspect and act on a router's queue");
  queue->require_subcommand(1);
  queue->fallthrough();
  uint32_t limit = 0;
  auto* list = queue->add_subcommand("list", "list queued messages (like postqueue -p)");
  list->add_option("--limit", limit, "at most this many messages (0: all)");
  std::string queue_id;
  auto* show = queue->add_subcommand("show", "show one message and why it waits");
  show->add_option("id", queue_id, "queue id")->required();
  auto* retry = queue->add_subcommand("retry", "make the message's pending recipients due now");
  retry->add_option("id", queue_id, "queue id")->required();
  auto* del = queue->add_subcommand("delete", "remove a message: no delivery, no DSN");
  del->add_option("id", queue_id, "queue id")->required();

  const postern::services::KeymgmtCommands keymgmt(app);

  std::string service;
  auto* health = app.add_subcommand("health", "gRPC health check of a router (grpc.health.v1)");
  health->add_option("--service", service, "service name (default: the whole server)");

  // Issue 5: replay the edge's inbound decision locally (needs --config; no server, no token).
  postern::services::ExplainInput explain_input;
  auto* explain = app.add_subcommand(
      "explain", "replay the edge's inbound decision for a client, with real DNS (--config)");
  explain->add_option("--ip", explain_input.ip, "client IP address")->required();
  explain->add_option("--helo", explain_input.helo, "HELO/EHLO name")->required();
  explain->add_option("--from", explain_input.from, "MAIL FROM address (\"\" for <>)")->required();
  explain->add_option("--to", explain_input.to, "RCPT TO address (repeatable)")->required();
  explain->add_option("--listener", explain_input.listener, "edge listener (default: the first "
                                                             "without auth: required)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;
  }

  std::optional<postern::config::Config> config;
  if (!options.config_file.empty()) {
    try {
      config = postern::config::load_config(options.config_file);
    } catch (const postern::config::ConfigError& e) {
      std::cerr << "posternctl: " << e.what() << "\n";
      return 1;
    }
  }
  const postern::config::Config* cfg = config ? &*config : nullptr;
  if (explain->parsed()) {
    if (cfg == nullptr) {
      std::cerr << "posternctl: explain needs --config FILE\n";
      return 1;
    }
    return postern::services::explain(*cfg, explain_input, std::cout);
  }

  CtlConnection c;
  c.server = keymgmt.parsed() ? postern::services::resolve_keystore_server(options, cfg)
                              : postern::services::resolve_server(options, cfg);
  c.timeout = std::chrono::seconds(timeout_seconds);
  if (queue->parsed() || keymgmt.parsed()) {
    try {
      c.token = postern::services::resolve_token(options, std::getenv("POSTERN_ADMIN_TOKEN"), cfg);
    } catch (const std::exception& e) {
      // With cluster.tls the client certificate may be enough (admin.tls_clients).
      if (cfg == nullptr || !cfg->cluster.tls) {
        std::cerr << "posternctl: " << e.what() << "\n";
        return 1;
      }
      c.token.source = "nowhere (client certificate " + cfg->cluster.tls->cert + " only)";
    }
  }
  try {
    grpc::ChannelArguments args;
    if (cfg != nullptr) postern::grpc_tls::apply_channel_arguments(*cfg, args);
    c.channel = grpc::CreateCustomChannel(
        c.server,
        cfg != nullptr ? postern::grpc_tls::channel_credentials(*cfg)
                       : grpc::InsecureChannelCredentials(),
        args);
  } catch (const postern::config::ConfigError& e) {
    std::cerr << "posternctl: " << e.what() << "\n";
    return 1;
  }

  if (list->parsed()) return postern::services::queue_list(c, limit);
  if (show->parsed()) return postern::services::queue_show(c, queue_id);
  if (retry->parsed()) return postern::services::queue_retry(c, queue_id);
  if (del->parsed()) return postern::services::queue_delete(c, queue_id);
  if (health->parsed()) return postern::services::health(c, service);
  if (keymgmt.parsed()) return keymgmt.run(c);
  return 1;
}
