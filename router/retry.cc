#include "router/retry.h"

#include <algorithm>

namespace postern::router {

std::chrono::seconds retry_delay(const std::vector<std::chrono::seconds>& schedule,
                                 uint32_t failed_attempts) {
  if (schedule.empty()) return std::chrono::minutes(5);
  const std::size_t index = std::min<std::size_t>(std::max<uint32_t>(failed_attempts, 1) - 1,
                                                  schedule.size() - 1);
  return schedule[index];
}

SysTime next_attempt(SysTime now, const std::vector<std::chrono::seconds>& schedule,
                     uint32_t failed_attempts) {
  return now + retry_delay(schedule, failed_attempts);
}

bool expired(SysTime received, SysTime now, std::chrono::seconds max_age) {
  return now - received >= max_age;
}

}  // namespace postern::router
