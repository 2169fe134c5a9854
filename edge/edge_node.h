// The edge role: SMTP listeners (MX, submission, submissions) in front of the routers.
//
// SECURITY: the edge faces the internet. It sees untrusted bytes from every client; it holds
// the TLS private key (edge.tls) and the directory's password hashes, nothing else. It never
// relays for unauthenticated clients to non-local domains. It keeps no mail on disk: a 250
// after DATA comes only after a router acknowledged durable storage.
#pragma once

#include <chrono>
#include <memory>

#include "common/config/config.h"

namespace postern::edge {

class EdgeNode {
 public:
  // Builds TLS contexts and the router client. Throws std::runtime_error naming what is wrong.
  explicit EdgeNode(const config::Config& config);
  ~EdgeNode();
  EdgeNode(const EdgeNode&) = delete;
  EdgeNode& operator=(const EdgeNode&) = delete;

  // Binds every listener (throws naming the listener and address on failure) and starts the
  // edge's own I/O threads. Returns at once.
  void start();

  // Drain: stop accepting, let sessions finish until `deadline`, then answer 421 4.3.2 to the
  // rest and close. Returns when every session is gone and the threads are joined.
  void shutdown(std::chrono::steady_clock::time_point deadline);

  // SIGHUP: new sessions use `config`'s edge.inbound (lists, weights, thresholds) and
  // directory; open sessions keep theirs and are not interrupted. `config` must come from
  // load_config() (a config that fails to load never reaches here: the old one stays).
  void reload(const config::Config& config);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace postern::edge
