// The Queue on RocksDB (see queue.h for the invariants it keeps).
//
// Layout in the database directory (<node.data_dir>/queue):
//   column family "meta":  queue id -> MessageRecord (protobuf)
//   column family "body":  queue id -> RFC 5322 bytes; blob files on (bodies are large and
//                          short-lived: kept out of the LSM tree so compaction does not
//                          rewrite them)
//   column family "dmarc": 16 hex digits of a sequence number -> DMARC evaluation record
//                          (one JSON line), in storage order; never removed by the queue
//   column family "forwarded": a Forward's idempotency key -> "<unix ms> <queue id>" (issue 6,
//                          written in the message's own synced batch, pruned by age)
//   default family:        "format" -> "1" (refuses to open a queue of an unknown format)
// Group commit: enqueue() hands its batch to one committer thread, which merges every pending
// batch into one WriteBatch, writes it with sync=true, then completes them all.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "router/queue.h"

namespace postern::router {

struct RocksDbQueueStats {
  uint64_t synced_groups = 0;    // fsynced writes made by the committer
  uint64_t enqueued_batches = 0; // enqueue() calls completed successfully
};

class RocksDbQueue : public Queue {
 public:
  // Opens or creates the queue in `directory`. Throws std::runtime_error naming the
  // directory and RocksDB's reason.
  static std::unique_ptr<RocksDbQueue> open(const std::string& directory);
  // Completes pending enqueues, syncs the WAL and closes the database.
  ~RocksDbQueue() override = default;

  virtual RocksDbQueueStats stats() const = 0;
};

}  // namespace postern::router
