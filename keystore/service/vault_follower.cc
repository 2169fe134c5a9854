#include "keystore/service/vault_follower.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace postern::keystore::service {

VaultFollower::VaultFollower(KeyVault& vault, StoreWatcher& watcher,
                             std::shared_ptr<spdlog::logger> log)
    : vault_(vault), log_(std::move(log)), thread_([this] { run(); }) {
  watch_ = watcher.watch([this](const StoreChange& change) { queue(change); });
}

VaultFollower::~VaultFollower() {
  watch_.reset();  // joins the watch thread: no callback runs after this
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void VaultFollower::queue(const StoreChange& change) {
  {
    std::lock_guard lock(mutex_);
    changes_.push_back(change);
  }
  wake_.notify_all();
}

std::string VaultFollower::unhealthy_reason() const {
  {
    std::lock_guard lock(mutex_);
    if (resync_pending_) return "cannot follow the shared store: " + failure_;
  }
  return watch_ ? watch_->unhealthy_reason() : std::string("not watching");
}

uint64_t VaultFollower::applied() const {
  std::lock_guard lock(mutex_);
  return applied_;
}

void VaultFollower::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (resync_pending_) {
      wake_.wait_for(lock, kRetryInterval, [this] { return stopping_; });
    } else {
      wake_.wait(lock, [this] { return stopping_ || !changes_.empty(); });
    }
    if (stopping_) return;
    StoreChange change;
    if (resync_pending_) {
      changes_.clear();  // committed before the resync reads: covered by it
    } else {
      change = std::move(changes_.front());
      changes_.pop_front();
    }
    const bool was_failing = resync_pending_;
    lock.unlock();
    std::optional<Error> failed = vault_.apply(change);
    if (failed && !was_failing) {
      log_->warn("keystore: cannot apply a change of the shared store ({}); keeping the keys "
                 "held, resyncing every {} ms: {}",
                 change.type == StoreChange::Type::resync ? std::string("resync")
                                                          : change.kind,
                 kRetryInterval.count(), failed->message);
    } else if (!failed && change.type == StoreChange::Type::resync) {
      log_->info("keystore: in step with the shared store{}",
                 was_failing ? " again" : "");
    }
    lock.lock();
    if (failed) {
      if (!resync_pending_) failure_ = failed->message;
      resync_pending_ = true;
    } else {
      ++applied_;
      if (change.type == StoreChange::Type::resync) resync_pending_ = false;
    }
  }
}

}  // namespace postern::keystore::service
