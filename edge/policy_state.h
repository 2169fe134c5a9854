// The edge's inbound-control state for new sessions: one immutable snapshot of edge.inbound
// (lists, weights, thresholds), the recipient directory and the per-IP / per-sender counters
// built for it. SIGHUP reload swaps the snapshot (EdgeServer::reload); a session keeps the
// snapshot it started with until it ends, so a reload never changes a session mid-dialogue
// and never drops one.
//
// Contract: make() never fails for a validated Config. Counters belong to their snapshot: a
// reload starts them afresh (rate windows restart, which errs on the side of letting mail in).
// Everything here is thread-safe to use from every io_context (the limiters lock per shard).
#pragma once

#include <memory>

#include "common/config/config.h"
#include "common/ratelimit/clock.h"
#include "common/ratelimit/concurrency_limiter.h"
#include "common/ratelimit/rate_limiter.h"
#include "edge/policy/recipients.h"

namespace postern::edge {

struct PolicySnapshot {
  config::Inbound inbound;
  std::shared_ptr<const policy::RecipientDirectory> directory;
  std::unique_ptr<ratelimit::ConcurrencyLimiter> sessions_per_ip;     // connection.max_per_ip
  std::unique_ptr<ratelimit::RateLimiter> connections_per_ip;         // connection.rate_per_ip
  std::unique_ptr<ratelimit::RateLimiter> messages_per_ip;            // rate_limits
  std::unique_ptr<ratelimit::RateLimiter> messages_per_sender;

  static std::shared_ptr<const PolicySnapshot> make(const config::Config& config,
                                                    const ratelimit::Clock& clock);
};

}  // namespace postern::edge
