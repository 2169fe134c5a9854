// Retry timing for temporarily failed recipients.
//
// Contract: pure. `schedule` lists the delays after the 1st, 2nd, ... failed attempt; once the
// attempts pass its end, the last delay repeats (Postfix's maximal_backoff_time behaves
// alike). An empty schedule (config validation should prevent it) means 5 minutes.
// A message expires when its age reaches max_age: the next temporary failure after that is
// final (DSN with Status 4.4.7), so every recipient gets at least one attempt.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "router/clock.h"

namespace postern::router {

// The delay after `failed_attempts` (>= 1; 0 is treated as 1) temporary failures.
std::chrono::seconds retry_delay(const std::vector<std::chrono::seconds>& schedule,
                                 uint32_t failed_attempts);

// When to try again after a temporary failure at `now`.
SysTime next_attempt(SysTime now, const std::vector<std::chrono::seconds>& schedule,
                     uint32_t failed_attempts);

// True when a message received at `received` may no longer be retried at `now`.
bool expired(SysTime received, SysTime now, std::chrono::seconds max_age);

}  // namespace postern::router
