// Queue ids: unique across routers and restarts, short, and safe anywhere they are shown
// (SMTP replies, logs, file names, RocksDB keys).
//
// Format: 19 characters of [0-9a-v] (base32hex, lower case), fixed width:
//   9 chars  milliseconds since the Unix epoch (45 bits: good until the year 3084)
//   4 chars  20-bit hash of the node name        (different routers)
//   6 chars  30-bit counter, starting at a random value per process and incremented per id
//            (different ids in one millisecond; restarts within one millisecond)
// Ids of one router sort by creation time, which keeps RocksDB keys roughly append-only.
// Uniqueness across routers relies on distinct node names (a 1-in-2^20 hash collision between
// two names still needs the same millisecond and the same counter value to collide).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "router/clock.h"

namespace postern::router {

class QueueIdGenerator {
 public:
  QueueIdGenerator(std::string_view node_name, const Clock& clock);
  // Thread-safe.
  std::string next();

 private:
  const Clock& clock_;
  uint32_t node_hash_;
  std::atomic<uint32_t> counter_;
};

// True when `id` has the format above (for ids arriving from admins over gRPC).
bool valid_queue_id(std::string_view id);

}  // namespace postern::router
