// The router role: durable queue, routing, delivery, retries and DSNs.
//
// SECURITY: the router sees messages accepted by edges (untrusted content, trusted envelope
// checks already done) and talks SMTP to remote MTAs. Its gRPC intake (Submit) must only be
// reachable by edges (network policy / mTLS, later); queue administration requires the admin
// token. Relay-host credentials come from config or, with relay.credentials, from the
// keystore (cached briefly, never logged). DKIM: it hashes messages itself and sends the
// keystore only SHA-256 digests to sign (router/signing/); it never holds a private key.
// Router/Forward (router/forward/, issue 6) takes messages only from callers with the
// cluster token (or a cluster certificate) and sends them to gateways with the same token.
#pragma once

#include <chrono>
#include <memory>

#include "common/config/config.h"

namespace postern::router {

class RouterNode {
 public:
  // Opens the queue (RocksDB under node.data_dir/queue) and recovers pending messages, and
  // the greylist store (node.data_dir/greylist, router/greylist/rocksdb_store.h).
  // Throws std::runtime_error naming what is wrong.
  explicit RouterNode(const config::Config& config);
  ~RouterNode();
  RouterNode(const RouterNode&) = delete;
  RouterNode& operator=(const RouterNode&) = delete;

  // Starts the gRPC server on router.listen (Router, QueueAdmin, Greylist,
  // grpc.health.v1.Health) and the scheduler/delivery threads. Throws when the address
  // cannot be bound. Returns at once.
  void start();

  // Stops intake, lets running deliveries finish until `deadline` (unfinished attempts stay
  // queued as they were), flushes and closes the queue. Returns when everything is stopped.
  void shutdown(std::chrono::steady_clock::time_point deadline);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace postern::router
