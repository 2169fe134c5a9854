// Greylisting over a Store: the decision (decision.h) applied to stored state, with the
// read-modify-write of each triplet serialized, and a background sweeper of expired entries.
//
// Contract: check() reads the triplet's entry, decides, writes the new entry and returns the
// decision. Concurrent checks of the same triplet are serialized (striped mutexes by key), so
// two edges retrying at once cannot both see "unknown". A store failure is returned as an
// error (nothing decided); the caller (the gRPC service) reports it and the edge decides.
// The clock is the router's wall clock (entries are persisted and outlive restarts).
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "router/clock.h"
#include "router/greylist/decision.h"
#include "router/greylist/store.h"

namespace postern::router::greylist {

struct CheckResult {
  Decision decision;
  std::string error;  // empty: ok
  bool ok() const { return error.empty(); }
};

class Greylist {
 public:
  Greylist(Store& store, const Clock& clock) : store_(store), clock_(clock) {}
  Greylist(const Greylist&) = delete;
  Greylist& operator=(const Greylist&) = delete;

  CheckResult check(const Triplet& triplet, const Params& params);
  StoreSweep sweep() { return store_.sweep(clock_.now()); }

 private:
  static constexpr std::size_t kStripes = 64;
  Store& store_;
  const Clock& clock_;
  std::array<std::mutex, kStripes> stripes_;
};

// Runs greylist.sweep() every `interval` on its own thread (first after one interval) until
// destroyed; the destructor wakes and joins it. Failures are logged, never fatal.
class Sweeper {
 public:
  Sweeper(Greylist& greylist, std::chrono::milliseconds interval);
  ~Sweeper();
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

 private:
  void run();
  Greylist& greylist_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace postern::router::greylist
