// The rate limiters' notion of "now": a monotonic clock (limits are in-memory and per process,
// so wall-clock jumps must not open or close them). Injectable so tests run on simulated time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace postern::ratelimit {

using Duration = std::chrono::steady_clock::duration;
using TimePoint = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

// For tests: starts at an arbitrary point and moves only when told. Thread-safe.
class ManualClock final : public Clock {
 public:
  TimePoint now() const override { return TimePoint(Duration(ticks_.load())); }
  void advance(Duration by) { ticks_ += by.count(); }

 private:
  std::atomic<Duration::rep> ticks_{Duration(std::chrono::hours(1)).count()};
};

}  // namespace postern::ratelimit
