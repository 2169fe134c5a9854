// The greylisting decision for one triplet: pure (state in, verdict and new state out).
//
// Contract, with elapsed = now - first_seen of the stored entry:
//  - unknown triplet (or an entry that has expired) -> defer for `delay`, and remember it
//    (first_seen = now);
//  - not yet passed, elapsed < delay -> defer for the rest of the delay (at least 1 s);
//  - not yet passed, delay <= elapsed <= retry_window -> pass (first pass), remember it as
//    passed;
//  - not yet passed, elapsed > retry_window -> start over (as if unknown);
//  - passed, and seen within `expiry` -> pass with passed_before; last_seen refreshed, so the
//    expiry runs again from now (a passed triplet lives while it keeps sending);
//  - passed, unseen for longer than `expiry` -> start over.
// A clock that went backwards (now before first_seen / last_seen) counts as no time elapsed.
// Every decision returns the entry to store; expires_at in it is when the entry stops
// mattering (first_seen + retry_window unpassed, last_seen + expiry passed), which the store's
// sweep uses to delete it. Entries store the parameters' outcome only, so an edge that
// changes its parameters applies them to existing entries from then on.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "router/greylist/triplet.h"

namespace postern::router::greylist {

using SysTime = std::chrono::system_clock::time_point;

struct Entry {
  SysTime first_seen{};  // first attempt of the current round
  SysTime last_seen{};   // last attempt (any outcome)
  SysTime expires_at{};
  bool passed = false;
  uint32_t passes = 0;   // attempts that passed (saturating)
  bool operator==(const Entry&) const = default;
};

// Fixed binary form (version octet + little-endian fields): millisecond precision.
std::string encode(const Entry& entry);
std::optional<Entry> decode(std::string_view bytes);  // nullopt: not an entry of this version

enum class Action { pass, defer };
const char* to_string(Action);

struct Decision {
  Action action = Action::defer;
  std::chrono::seconds retry_after{0};  // defer: >= 1
  bool passed_before = false;           // pass: the triplet had passed before this attempt
  Entry next;                           // the entry to store
};

Decision decide(const std::optional<Entry>& stored, SysTime now, const Params& params);

}  // namespace postern::router::greylist
