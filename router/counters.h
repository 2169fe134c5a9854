// The router's counters, declared in one place (STYLE.md 12). Monotonic; read by tests and,
// later, by a metrics endpoint. Relaxed atomics: they are statistics, not synchronisation.
#pragma once

#include <atomic>
#include <cstdint>

namespace postern::router {

struct Counters {
  std::atomic<uint64_t> submit_accepted{0};   // Submit answered OK (durably queued)
  std::atomic<uint64_t> submit_refused{0};    // Submit answered non-OK (nothing queued)
  std::atomic<uint64_t> unroutable{0};        // recipients failed at intake (no route)
  std::atomic<uint64_t> attempts{0};          // delivery jobs finished
  std::atomic<uint64_t> delivered{0};         // recipients delivered
  std::atomic<uint64_t> deferred{0};          // recipients failed temporarily, retry scheduled
  std::atomic<uint64_t> failed{0};            // recipients failed permanently (incl. expired)
  std::atomic<uint64_t> expired{0};           // of those: max_age reached (4.4.7)
  std::atomic<uint64_t> dsn_queued{0};        // DSN messages queued
  std::atomic<uint64_t> dsn_suppressed{0};    // failures without DSN (null sender, no route)
  std::atomic<uint64_t> queue_errors{0};      // failed queue writes after delivery
  std::atomic<uint64_t> removed{0};           // messages completed and deleted
  std::atomic<uint64_t> dkim_signed{0};       // messages DKIM-signed (signatures stored)
  std::atomic<uint64_t> dkim_waits{0};        // signing attempts that failed (message waits)
  // Designated gateway (router/forward/, issue 6).
  std::atomic<uint64_t> forwarded_out{0};     // Forward calls a gateway acknowledged
  std::atomic<uint64_t> forward_failures{0};  // Forward attempts that failed (per gateway tried)
  std::atomic<uint64_t> forwarded_in{0};      // messages stored here by another router's Forward
  std::atomic<uint64_t> forward_duplicates{0};// Forward retries answered with the stored id
  std::atomic<uint64_t> forward_refused{0};   // Forward calls refused (token, header, not served)
};

}  // namespace postern::router
