// Test support: records what a StoreWatch reports, with the time each change arrived, and
// lets a test await a condition over the record with a deadline (no sleeps).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "keystore/store_watch.h"

namespace postern::keystore::testing {

struct RecordedChange {
  StoreChange change;
  std::chrono::steady_clock::time_point at;
};

class ChangeRecorder {
 public:
  StoreChangeCallback callback() {
    return [this](const StoreChange& c) {
      std::lock_guard lock(mu_);
      changes_.push_back({c, std::chrono::steady_clock::now()});
      cv_.notify_all();
    };
  }

  // The first recorded change at or after index `from` matching (type, kind, name), or -1
  // when none arrives within `timeout`.
  int await(StoreChange::Type type, const std::string& kind, const std::string& name,
            std::chrono::milliseconds timeout, std::size_t from = 0) {
    std::unique_lock lock(mu_);
    int found = -1;
    cv_.wait_for(lock, timeout, [&] {
      for (std::size_t i = from; i < changes_.size(); ++i) {
        const StoreChange& c = changes_[i].change;
        if (c.type == type && c.kind == kind && c.name == name) {
          found = static_cast<int>(i);
          return true;
        }
      }
      return false;
    });
    return found;
  }

  int await_resync(std::chrono::milliseconds timeout, std::size_t from = 0) {
    return await(StoreChange::Type::resync, "", "", timeout, from);
  }

  std::vector<RecordedChange> snapshot() {
    std::lock_guard lock(mu_);
    return changes_;
  }

  std::size_t count(StoreChange::Type type) {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const RecordedChange& r : changes_) n += r.change.type == type ? 1 : 0;
    return n;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<RecordedChange> changes_;
};

}  // namespace postern::keystore::testing
