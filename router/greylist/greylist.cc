#include "router/greylist/greylist.h"

#include "common/log/log.h"

namespace postern::router::greylist {

CheckResult Greylist::check(const Triplet& triplet, const Params& params) {
  CheckResult result;
  const std::string key = store_key(triplet);
  // The key is a SHA-256: its first octet picks a stripe uniformly.
  std::lock_guard lock(stripes_[static_cast<unsigned char>(key[0]) % kStripes]);
  const StoreGet stored = store_.get(key);
  if (!stored.ok()) {
    result.error = stored.error;
    return result;
  }
  result.decision = decide(stored.entry, clock_.now(), params);
  if (const StoreStatus put = store_.put(key, result.decision.next); !put.ok()) {
    result.error = put.error;
  }
  return result;
}

Sweeper::Sweeper(Greylist& greylist, std::chrono::milliseconds interval)
    : greylist_(greylist), interval_(interval), thread_([this] { run(); }) {}

Sweeper::~Sweeper() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Sweeper::run() {
  auto log = log::get("greylist");
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    const StoreSweep swept = greylist_.sweep();
    if (!swept.ok()) {
      log->warn("greylist sweep failed: {}", swept.error);
    } else if (swept.deleted > 0) {
      log->info("greylist sweep removed {} expired entries", swept.deleted);
    }
    lock.lock();
  }
}

}  // namespace postern::router::greylist
