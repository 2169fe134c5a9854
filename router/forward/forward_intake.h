// The gateway side of Router/Forward without gRPC: checks a forwarded message, stores it
// durably with its idempotency key, or finds the copy an earlier Forward stored (issue 6).
// forward_service.h adapts it to the gRPC stream.
//
// Contract:
//  - check() runs on the header alone (before the body is read): validate_forward_header(),
//    then gateway_record()'s routing check (not_served when this node would have to forward
//    again).
//  - store() answers `ok` only after the message AND its key are in the queue with the WAL
//    synced (one batch: Queue Q1), or with the id stored by an earlier Forward of the same
//    message (duplicate = true; nothing stored). Two Forwards of one message at the same time
//    cannot both store: the second gets `busy` (the origin retries later and then finds the
//    id). `done` runs exactly once: on the calling thread for refusals and duplicates, else
//    on the queue's committer thread. `on_stored` (scheduler notification) runs before it.
//  - Keys are kept retry.max_age + 1 day (pruned at most hourly, during store()): a Forward
//    retried within that time never stores a second copy, even after the first was delivered.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>

#include "common/config/config.h"
#include "postern/v1/router.pb.h"
#include "router/clock.h"
#include "router/counters.h"
#include "router/queue.h"
#include "router/queue_id.h"

namespace postern::router::forward {

struct ForwardResult {
  enum class Code { ok, invalid, too_large, not_served, busy, unavailable };
  Code code = Code::ok;
  std::string detail;     // why not ok
  std::string queue_id;   // ok: this node's queue id
  bool duplicate = false; // ok: stored by an earlier Forward
};

class ForwardIntake {
 public:
  using Done = std::function<void(ForwardResult)>;
  using OnStored = std::function<void(const std::string& queue_id)>;

  ForwardIntake(const config::Config& config, Queue& queue, QueueIdGenerator& ids,
                const Clock& clock, Counters& counters, OnStored on_stored);

  ForwardResult check(const postern::v1::ForwardHeader& header) const;

  // `header` passed check(); body.size() == header.size().
  void store(const postern::v1::ForwardHeader& header, std::string body, Done done);

 private:
  void prune_keys();

  const config::Config& config_;
  Queue& queue_;
  QueueIdGenerator& ids_;
  const Clock& clock_;
  Counters& counters_;
  OnStored on_stored_;
  std::mutex mu_;
  std::set<std::string> in_progress_;  // keys being stored (guarded by mu_)
  int64_t last_prune_ms_ = 0;          // guarded by mu_
};

}  // namespace postern::router::forward
