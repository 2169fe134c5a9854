// A per-key concurrency limit: "at most `max` concurrent connections per client IP".
//
// Contract:
//  - try_acquire(key) returns a Guard when the key holds fewer than `max` slots, else an
//    empty optional. The slot is released when the Guard is destroyed (or release()d); a
//    Guard is move-only, so a slot is released exactly once.
//  - max == 0 means unlimited (try_acquire always succeeds, still counting).
//  - Memory is bounded by the number of live guards: a key is forgotten when its count drops
//    to zero. Keys longer than kMaxKeyBytes (rate_limiter.h) are cut to that length.
//  - Thread-safe (sharded mutexes, like RateLimiter); a Guard may be released on any thread.
//    The limiter must outlive every Guard it handed out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::ratelimit {

class ConcurrencyLimiter {
 public:
  class Guard {
   public:
    Guard(Guard&& other) noexcept;
    Guard& operator=(Guard&& other) noexcept;
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() { release(); }
    void release();
    const std::string& key() const { return key_; }

   private:
    friend class ConcurrencyLimiter;
    Guard(ConcurrencyLimiter* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
    ConcurrencyLimiter* owner_ = nullptr;
    std::string key_;
  };

  explicit ConcurrencyLimiter(uint32_t max, std::size_t shards = 16);
  ~ConcurrencyLimiter();
  ConcurrencyLimiter(const ConcurrencyLimiter&) = delete;
  ConcurrencyLimiter& operator=(const ConcurrencyLimiter&) = delete;

  std::optional<Guard> try_acquire(std::string_view key);
  uint32_t count(std::string_view key) const;  // slots the key holds now
  std::size_t size() const;                    // keys holding at least one slot
  uint32_t max() const { return max_; }

 private:
  struct Shard;
  Shard& shard_for(std::string_view key) const;
  void release(const std::string& key);

  uint32_t max_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace postern::ratelimit
