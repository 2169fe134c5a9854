#include "common/ratelimit/concurrency_limiter.h"

#include <mutex>
#include <utility>
#include <stdexcept>
#include <unordered_map>

#include "common/ratelimit/rate_limiter.h"
#include "common/ratelimit/shard_index.h"

namespace postern::ratelimit {

struct ConcurrencyLimiter::Shard {
  mutable std::mutex mutex;
  std::unordered_map<std::string, uint32_t> counts;  // only keys holding slots
};

ConcurrencyLimiter::Guard::Guard(Guard&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), key_(std::move(other.key_)) {}

ConcurrencyLimiter::Guard& ConcurrencyLimiter::Guard::operator=(Guard&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    key_ = std::move(other.key_);
  }
  return *this;
}

void ConcurrencyLimiter::Guard::release() {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->release(key_);
}

ConcurrencyLimiter::ConcurrencyLimiter(uint32_t max, std::size_t shards) : max_(max) {
  if (shards == 0) throw std::invalid_argument("concurrency limiter: zero shards");
  shards_.reserve(shards);
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

ConcurrencyLimiter::~ConcurrencyLimiter() = default;

ConcurrencyLimiter::Shard& ConcurrencyLimiter::shard_for(std::string_view key) const {
  return *shards_[detail::shard_index(key, shards_.size())];
}

std::optional<ConcurrencyLimiter::Guard> ConcurrencyLimiter::try_acquire(std::string_view raw_key) {
  std::string key(detail::cut_key(raw_key, kMaxKeyBytes));
  Shard& shard = shard_for(key);
  {
    std::lock_guard lock(shard.mutex);
    uint32_t& held = shard.counts[key];
    if (max_ != 0 && held >= max_) return std::nullopt;  // held > 0 here: no empty entry left
    ++held;
  }
  return Guard(this, std::move(key));
}

void ConcurrencyLimiter::release(const std::string& key) {
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto found = shard.counts.find(key);
  if (found == shard.counts.end()) return;
  if (--found->second == 0) shard.counts.erase(found);
}

uint32_t ConcurrencyLimiter::count(std::string_view raw_key) const {
  const std::string key(detail::cut_key(raw_key, kMaxKeyBytes));
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto found = shard.counts.find(key);
  return found == shard.counts.end() ? 0 : found->second;
}

std::size_t ConcurrencyLimiter::size() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    n += shard->counts.size();
  }
  return n;
}

}  // namespace postern::ratelimit
