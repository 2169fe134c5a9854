// A per-key rate limiter: "at most `count` events per `window`" for each key (client IP,
// authenticated sender, ...), with the generic cell rate algorithm (GCRA, RFC 2697's
// leaky-bucket-as-meter in its "theoretical arrival time" form).
//
// Contract:
//  - A key starts with a full allowance: `count` events may come at once (a burst); after that
//    one event is allowed every window/count. So over any span of length `window` at most
//    `count` + (events replenished within it) pass, and a key that stays idle for `window`
//    has its whole allowance back. acquire() with cost n takes n events or none.
//  - A refused acquire() takes nothing (it only marks the key as recently used) and says
//    when the same request would pass (retry_after).
//  - Memory is bounded: at most `max_keys` keys are tracked (split evenly over the shards;
//    at least one per shard). A key whose allowance is full again is forgotten lazily (it is
//    equivalent to an unknown key). When a shard is full, the least recently used key of that
//    shard is evicted, even if it is still limited: under a flood of more distinct keys than
//    max_keys the oldest idle keys get a fresh allowance (a documented degradation; size
//    max_keys for the expected number of active clients).
//  - Keys longer than kMaxKeyBytes are cut to that length (RFC 5321 paths are shorter).
//  - Thread-safe: keys are spread over `shards` shards, each with its own mutex and map, so
//    the edge's io_context threads rarely contend. No call blocks on anything but a shard
//    mutex held for O(1) work.
//  - Time comes from the injected Clock (monotonic), which must outlive the limiter.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/ratelimit/clock.h"

namespace postern::ratelimit {

inline constexpr std::size_t kMaxKeyBytes = 512;

struct RateLimit {
  uint32_t count = 0;    // events per window; 0 = unlimited (acquire always passes)
  Duration window{};     // > 0 when count > 0
};

struct LimiterOptions {
  std::size_t max_keys = 100000;
  std::size_t shards = 16;
};

struct RateDecision {
  bool allowed = true;
  Duration retry_after{};  // when refused: how long until the same acquire() would pass
};

class RateLimiter {
 public:
  // Throws std::invalid_argument for a count > 0 with a non-positive window, or zero shards.
  RateLimiter(RateLimit limit, const Clock& clock, LimiterOptions options = {});
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes `cost` events from the key's allowance, or refuses and takes nothing. A cost above
  // `count` is always refused (retry_after = window).
  RateDecision acquire(std::string_view key, uint32_t cost = 1);

  // Events the key could take right now (count for an unknown key; UINT32_MAX when
  // unlimited). Does not change state.
  uint32_t available(std::string_view key) const;

  // Keys currently tracked (for tests and metrics).
  std::size_t size() const;

  const RateLimit& limit() const { return limit_; }

 private:
  struct Shard;
  Shard& shard_for(std::string_view key) const;

  RateLimit limit_;
  const Clock& clock_;
  Duration interval_{};  // window / count
  std::size_t per_shard_ = 0;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace postern::ratelimit
