#include "services/roles.h"

#include <chrono>
#include <exception>
#include <iostream>
#include <memory>
#include <stdexcept>

#include <signal.h>

#include "common/log/log.h"
#include "edge/edge_node.h"
#include "router/router_node.h"
#ifdef POSTERN_HAVE_KEYSTORE
#include "keystore/service/keystore_node.h"
#endif
#include "services/describe.h"
#include "services/signals.h"

namespace postern::services {
namespace {

using Clock = std::chrono::steady_clock;

#ifdef POSTERN_HAVE_KEYSTORE
using KeystoreNode = keystore::service::KeystoreNode;
#else
// This build has no keystore (keystore/ not built): the role refuses to start.
struct KeystoreNode {
  explicit KeystoreNode(const config::Config&) {
    throw std::runtime_error("the keystore role is not built into this binary");
  }
  void start() {}
  void shutdown(std::chrono::steady_clock::time_point) {}
};
#endif

struct Running {
  std::unique_ptr<KeystoreNode> keystore;
  std::unique_ptr<router::RouterNode> router;
  std::unique_ptr<edge::EdgeNode> edge;

  // Edge first: it stops taking mail that would need the router; then the router flushes;
  // the keystore last, as routers may sign until they stop.
  void shutdown(Clock::time_point deadline) {
    if (edge) edge->shutdown(deadline);
    edge.reset();
    if (router) router->shutdown(deadline);
    router.reset();
    if (keystore) keystore->shutdown(deadline);
    keystore.reset();
  }
};

// SIGHUP (issue 5): the edge takes edge.inbound (lists, weights, thresholds) and the
// directory's recipients from the re-read file for new sessions; a file that fails to load is
// refused with its reason and the running config stays.
void reload(Running& running, const std::string& file, spdlog::logger& log) {
  if (!running.edge) {
    log.info("SIGHUP: nothing to reload in this role");
    return;
  }
  try {
    const config::Config next = config::load_config(file);
    running.edge->reload(next);
    log.info("SIGHUP: reloaded edge.inbound from {}", file);
  } catch (const std::exception& e) {
    log.error("SIGHUP: reload refused, the running config stays: {}", e.what());
  }
  log.flush();
}

bool has_edge(Role r) { return r == Role::edge || r == Role::all; }
bool has_router(Role r) { return r == Role::router || r == Role::all; }
bool has_keystore(Role r) { return r == Role::keystore || r == Role::all; }

const char* role_name(Role r) {
  switch (r) {
    case Role::edge: return "edge";
    case Role::router: return "router";
    case Role::keystore: return "keystore";
    case Role::all: return "all";
  }
  return "?";
}

}  // namespace

void check_role_requirements(Role role, const config::Config& config) {
  if (has_edge(role) && config.edge.listeners.empty()) {
    throw config::ConfigError(config.source_file, "edge.listeners",
                              "required for the edge role (at least one listener)");
  }
  if (has_router(role) && config.router.routes.empty()) {
    throw config::ConfigError(config.source_file, "router.routes",
                              "required for the router role (mail would have nowhere to go)");
  }
}

int run_roles(Role role, const config::Config& config) {
  // Before any thread exists, so all of them inherit the mask (see signals.h).
  block_termination_signals();
  auto log = log::get("postern");
  Running running;
  const auto drain = config.edge.drain_timeout;

  try {
    if (has_keystore(role)) {
      running.keystore = std::make_unique<KeystoreNode>(config);
      running.keystore->start();
      log->info("keystore ready: grpc on {} (data in {})", config.keystore.listen.to_string(),
                config.keystore.data_dir);
    }
    if (has_router(role)) {
      running.router = std::make_unique<router::RouterNode>(config);
      running.router->start();
      log->info("router ready: grpc on {} (queue in {})", config.router.listen.to_string(),
                config.node.data_dir);
    }
    if (has_edge(role)) {
      running.edge = std::make_unique<edge::EdgeNode>(config);
      running.edge->start();
      for (const auto& l : config.edge.listeners) {
        log->info("edge ready: {}", describe_listener(l));
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "postern: " << e.what() << std::endl;
    log->error("start-up failed: {}", e.what());
    try {
      running.shutdown(Clock::now() + drain);
    } catch (const std::exception& again) {
      std::cerr << "postern: while stopping: " << again.what() << std::endl;
    }
    return 1;
  }
  log->info("postern ready: role {}, node {}", role_name(role), config.node.name);
  log->flush();

  int sig = wait_for_termination_or_reload();
  while (sig == SIGHUP) {
    reload(running, config.source_file, *log);
    sig = wait_for_termination_or_reload();
  }
  exit_on_second_signal(1);
  log->info("signal {}: draining for up to {}s", sig, drain.count());
  log->flush();
  try {
    running.shutdown(Clock::now() + drain);
  } catch (const std::exception& e) {
    std::cerr << "postern: shutdown failed: " << e.what() << std::endl;
    log->error("shutdown failed: {}", e.what());
    return 1;
  }
  log->info("postern stopped");
  log->flush();
  return 0;
}

}  // namespace postern::services
