// VaultFollower: keeps a keystore replica's vault in step with the shared Store (etcd) by
// feeding the Store's watch (store_watch.h) to KeyVault::apply (vault.h).
//
// Contract:
// - The watch's callback only queues the change; one thread of the follower applies the
//   queue in order, so the watch thread never waits for the Store reads apply() makes (the
//   watch contract: the callback must not block for long).
// - When apply() fails (the Store could not be read), the follower applies a resync instead,
//   retrying every kRetryInterval until one succeeds; changes queued before a resync starts
//   are dropped (the resync reads everything after them). Until then the vault keeps every
//   key it held, so signing goes on. Failures are logged once per outage, recovery once.
// - A change made on another replica is applied within the watch's delivery time plus the
//   Store reads for that entry (well under a second on a healthy etcd; after an outage, once
//   the watch has reconnected and resumed, which takes up to a few seconds).
// - The destructor stops the watch first (no more callbacks), then the thread; a resync or
//   change in progress finishes first (bounded by the Store's call timeouts).
//
// SECURITY: log lines name entries (kinds, NEK names, DKIM domains and selectors) and the
// Store's errors, never values.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "keystore/store_watch.h"
#include "keystore/vault.h"

namespace spdlog {
class logger;
}

namespace postern::keystore::service {

class VaultFollower {
 public:
  static constexpr std::chrono::milliseconds kRetryInterval{1000};

  VaultFollower(KeyVault& vault, StoreWatcher& watcher, std::shared_ptr<spdlog::logger> log);
  ~VaultFollower();
  VaultFollower(const VaultFollower&) = delete;
  VaultFollower& operator=(const VaultFollower&) = delete;

  // "" while the watch is established and the vault is in step, else why not.
  std::string unhealthy_reason() const;
  // How many changes (resyncs included) were applied successfully so far (tests, metrics).
  uint64_t applied() const;

 private:
  void queue(const StoreChange& change);
  void run();

  KeyVault& vault_;
  std::shared_ptr<spdlog::logger> log_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<StoreChange> changes_;
  bool resync_pending_ = false;
  bool stopping_ = false;
  std::string failure_;  // the last apply failure while resync_pending_
  uint64_t applied_ = 0;

  std::thread thread_;                // starts after the members it uses exist
  std::unique_ptr<StoreWatch> watch_;  // last: destroyed first, before the thread stops
};

}  // namespace postern::keystore::service
