// The edge's listeners and connections over a small pool of io_contexts (one thread each;
// each connection is pinned to one). EdgeNode wires it to the real router client and the
// directory; tests wire it to fakes. When edge.inbound has a check enabled, each io_context
// also gets its own dns::Resolver (from config.dns; c-ares channels are single-threaded) for
// sender authentication (inbound/authenticator.h), and the process loads the Public Suffix
// List once (start-up fails if DMARC needs it and it cannot be loaded).
//
// Inbound controls (issue 5): every io_context has a dns::Resolver for them as well; the
// edge.inbound in force for new sessions is a PolicySnapshot (policy_state.h) that reload()
// replaces; each session keeps the snapshot it started with.
//
// SECURITY: binds the listeners of config.edge.listeners only; enforces
// edge.limits.max_connections (421 4.3.2 beyond it); holds the TLS private key in its
// ssl::context.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "common/config/config.h"
#include "edge/credential_verifier.h"
#include "edge/greylist_client.h"
#include "edge/submitter.h"

namespace postern::edge {

class EdgeServer {
 public:
  // Throws std::runtime_error when a listener needs TLS and edge.tls is missing or unusable.
  // `greylist`: the routers' greylist service (null: greylisting fails open, logged).
  EdgeServer(const config::Config& config, Submitter& submitter, CredentialVerifier& verifier,
             std::size_t io_threads = 2, GreylistClient* greylist = nullptr);
  ~EdgeServer();  // shuts down with an immediate deadline if still running
  EdgeServer(const EdgeServer&) = delete;
  EdgeServer& operator=(const EdgeServer&) = delete;

  // Binds every listener (throws naming listener and address) and starts the I/O threads.
  void start();
  // Bound addresses, in config order (useful with port 0).
  std::vector<boost::asio::ip::tcp::endpoint> endpoints() const;
  std::size_t sessions() const;

  // New sessions use edge.inbound (and the directory for recipient checks) of `config`;
  // sessions already open keep theirs. Only those parts are taken: listeners, TLS and limits
  // need a restart. Thread-safe; `config` must be validated (load_config()).
  void reload(const config::Config& config);

  // Stop accepting; let sessions finish their transaction until `deadline`; then 421 4.3.2
  // to the rest (a session waiting for a router submit answers that first). Returns when all
  // sessions are gone and the threads are joined.
  void shutdown(std::chrono::steady_clock::time_point deadline);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace postern::edge
