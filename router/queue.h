// The router's durable queue: message metadata and bodies, stored apart, under one queue id.
//
// CRASH INVARIANTS (ARCHITECTURE.md "Durability contract"); every implementation keeps them:
//  Q1 enqueue() completes successfully only after every message it was given (metadata and
//     body) is in the store with the write-ahead log synced to disk. A message is stored
//     whole or not at all: metadata never exists without its body, nor the reverse, and the
//     messages of one enqueue() (an original and the DSN for its unroutable recipients) are
//     stored together or not at all.
//  Q2 commit_outcome() writes a message's new recipient states (or removes the message) and
//     stores the DSNs for the recipients it marks failed, in ONE atomic batch: a failure mark
//     never exists without its DSN, nor a DSN without the failure mark.
//  Q3 Writes become durable in the order they were made (RocksDB's WAL with
//     kPointInTimeRecovery replays a prefix): when a later write survives a crash, every
//     earlier one did too. A synced enqueue() therefore also makes every earlier unsynced
//     write durable.
//
// RELAXATIONS (reasoned, not accidental):
//  R1 commit_outcome() and remove() do not wait for an fsync. Losing one in a power failure
//     rolls the message back to its state before the attempt: its recipients are tried again
//     (at-least-once: a duplicate, never a loss). A process crash or kill -9 loses nothing,
//     since the WAL write itself reaches the OS before the call returns.
//  R2 A DSN queued by commit_outcome() is not synced on its own: by Q2 it can be lost only
//     together with the failure mark, and then the recipient is retried and bounced again.
//     By Q3 the original's later removal never survives without the DSN, so "delete only
//     after the bounce is durably queued" (contract item 2) holds.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postern/v1/queue_record.pb.h"

namespace postern::router {

using MessageRecord = postern::v1::queue::MessageRecord;
using RecipientRecord = postern::v1::queue::RecipientRecord;
using RecipientStatus = postern::v1::queue::RecipientStatus;

// One message to store: metadata (meta.queue_id is the key) and the RFC 5322 body.
struct NewMessage {
  MessageRecord meta;
  std::string body;
  // DMARC evaluation records (JSON lines) stored in the same batch, apart from the message:
  // they outlive its delivery (aggregate reports read them with for_each_dmarc()).
  std::vector<std::string> dmarc_evaluations;
  // A message a router forwarded here (Router/Forward): its idempotency key, stored in the
  // same batch as the message (so a retried Forward finds the id; forwarded_id()). "" = none.
  std::string forward_key;
};

struct QueueStatus {
  std::string error;  // empty: success
  bool ok() const { return error.empty(); }
};

class Queue {
 public:
  virtual ~Queue() = default;

  // Stores `messages` atomically and durably (Q1). Concurrent calls share one fsync (group
  // commit). `done` runs exactly once, on the queue's committer thread, after the sync or with
  // the error (then nothing was stored). `done` must be quick: it delays the next group.
  using Done = std::function<void(QueueStatus)>;
  virtual void enqueue(std::vector<NewMessage> messages, Done done) = 0;

  // The metadata of a message; nullopt when it is not queued (or unreadable: logged).
  virtual std::optional<MessageRecord> load(std::string_view queue_id) = 0;
  // The body of a message; nullptr when it is not queued.
  virtual std::shared_ptr<const std::string> load_body(std::string_view queue_id) = 0;

  // Q2/R1/R2: writes `updated` (or, when `remove`, deletes it and its body) and stores
  // `dsns`, in one atomic unsynced batch.
  virtual QueueStatus commit_outcome(const MessageRecord& updated, bool remove,
                                     std::vector<NewMessage> dsns) = 0;

  // Deletes a message and its body (R1: unsynced). Removing an absent id succeeds.
  virtual QueueStatus remove(std::string_view queue_id) = 0;

  // Calls `visit` for every queued message in queue-id order (recovery, listing) until it
  // returns false. Sees a consistent snapshot.
  virtual void for_each(const std::function<bool(const MessageRecord&)>& visit) = 0;

  // Stores DMARC evaluation records of messages that were not queued (refused in the SMTP
  // dialogue): durably, like enqueue() (same group commit; `done` likewise).
  virtual void record_dmarc(std::vector<std::string> evaluations, Done done) = 0;
  // Every stored DMARC evaluation record in the order stored, until `visit` returns false.
  virtual void for_each_dmarc(const std::function<bool(std::string_view line)>& visit) = 0;

  // Forwarded messages (Router/Forward, issue 6): the queue id stored under `key` by an
  // enqueue() whose NewMessage carried it, or nullopt. The mapping outlives the message (a
  // Forward retried after the message was delivered must not store it again) until
  // prune_forwarded() drops mappings stored before `before_unix_ms` (returns how many).
  virtual std::optional<std::string> forwarded_id(std::string_view key) = 0;
  virtual std::size_t prune_forwarded(int64_t before_unix_ms) = 0;

  // Makes every write so far durable (shutdown).
  virtual QueueStatus sync() = 0;

  // Cheap health check: "" when healthy, else why not (for the health service and logs).
  virtual std::string unhealthy_reason() = 0;
};

}  // namespace postern::router
