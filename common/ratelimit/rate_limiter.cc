#include "common/ratelimit/rate_limiter.h"

#include <algorithm>
#include <list>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "common/ratelimit/shard_index.h"

namespace postern::ratelimit {

// One shard: keys in least-recently-used order (front = most recent), each with its
// theoretical arrival time (TAT): the allowance is full again once now >= tat.
struct RateLimiter::Shard {
  struct Node {
    std::string key;
    TimePoint tat;
  };
  mutable std::mutex mutex;
  std::list<Node> lru;
  std::unordered_map<std::string, std::list<Node>::iterator> index;

  void forget_back() {
    index.erase(lru.back().key);
    lru.pop_back();
  }
};

RateLimiter::RateLimiter(RateLimit limit, const Clock& clock, LimiterOptions options)
    : limit_(limit), clock_(clock) {
  if (options.shards == 0) throw std::invalid_argument("rate limiter: zero shards");
  if (limit_.count > 0) {
    if (limit_.window <= Duration::zero()) {
      throw std::invalid_argument("rate limiter: a count needs a positive window");
    }
    interval_ = limit_.window / limit_.count;
    if (interval_ <= Duration::zero()) {
      throw std::invalid_argument("rate limiter: window too short for the count");
    }
  }
  per_shard_ = std::max<std::size_t>(1, options.max_keys / options.shards);
  shards_.reserve(options.shards);
  for (std::size_t i = 0; i < options.shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

RateLimiter::~RateLimiter() = default;

RateLimiter::Shard& RateLimiter::shard_for(std::string_view key) const {
  return *shards_[detail::shard_index(key, shards_.size())];
}

RateDecision RateLimiter::acquire(std::string_view raw_key, uint32_t cost) {
  RateDecision decision;
  if (limit_.count == 0 || cost == 0) return decision;
  if (cost > limit_.count) {
    decision.allowed = false;
    decision.retry_after = limit_.window;
    return decision;
  }
  const std::string_view key = detail::cut_key(raw_key, kMaxKeyBytes);
  Shard& shard = shard_for(key);
  const TimePoint now = clock_.now();
  std::lock_guard lock(shard.mutex);
  auto found = shard.index.find(std::string(key));
  const TimePoint tat = found == shard.index.end() ? now : std::max(found->second->tat, now);
  const TimePoint next_tat = tat + interval_ * cost;
  const TimePoint allowed_at = next_tat - limit_.window;
  if (now < allowed_at) {
    decision.allowed = false;
    decision.retry_after = allowed_at - now;
    // Still recently used: a key that keeps hitting its limit is the last one to evict
    // (evicting it would hand a flooding client a fresh allowance).
    if (found != shard.index.end()) shard.lru.splice(shard.lru.begin(), shard.lru, found->second);
    return decision;
  }
  if (found != shard.index.end()) {
    found->second->tat = next_tat;
    shard.lru.splice(shard.lru.begin(), shard.lru, found->second);
    return decision;
  }
  // A new key. Keys at the old end whose allowance is full again are the same as unknown
  // keys: drop them first; then, if still full, evict the least recently used key.
  while (!shard.lru.empty() && shard.lru.back().tat <= now) shard.forget_back();
  if (shard.lru.size() >= per_shard_) shard.forget_back();
  shard.lru.push_front(Shard::Node{std::string(key), next_tat});
  shard.index.emplace(shard.lru.front().key, shard.lru.begin());
  return decision;
}

uint32_t RateLimiter::available(std::string_view raw_key) const {
  if (limit_.count == 0) return 0xffffffffu;
  const std::string_view key = detail::cut_key(raw_key, kMaxKeyBytes);
  Shard& shard = shard_for(key);
  const TimePoint now = clock_.now();
  std::lock_guard lock(shard.mutex);
  auto found = shard.index.find(std::string(key));
  if (found == shard.index.end()) return limit_.count;
  const TimePoint tat = std::max(found->second->tat, now);
  const Duration used = tat - now;  // <= window
  if (used >= limit_.window) return 0;
  const auto free = (limit_.window - used) / interval_;
  return static_cast<uint32_t>(std::min<decltype(free)>(free, limit_.count));
}

std::size_t RateLimiter::size() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    n += shard->lru.size();
  }
  return n;
}

}  // namespace postern::ratelimit
