// Turning envelope facts into queue records: routing recipients at intake, and building the
// DSN message (a queue record like any other) for recipients that failed.
//
// Contract: no I/O; ids and time come in. Used by the intake (recipients without a route) and
// the scheduler (5xx, expiry), so both bounce alike.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"
#include "router/clock.h"
#include "router/queue.h"
#include "router/queue_id.h"

namespace postern::router {

// A recipient routed by router.routes. When no route matches, the recipient is FAILED at
// once with "550 5.1.2" (RFC 3463 X.1.2: bad destination system address): a missing route is
// the configuration's permanent answer for that domain, and bouncing tells the sender now
// instead of retrying a question that has no other answer.
RecipientRecord route_recipient(const config::Router& router, std::string address);

// The "host" of a deliverer's remote description "mx.example.com[192.0.2.1]:25"; "" when it
// names no remote MTA (a maildir path, nothing).
std::string remote_mta_host(std::string_view remote);

// The DSN for `failed` (recipients of `original`, already marked FAILED with dsn_status and
// last_reply set). nullopt when no DSN may or can be sent: null sender (never bounce a
// bounce), or the sender's domain has no route itself (logged by the caller).
std::optional<NewMessage> make_bounce(const MessageRecord& original, std::string_view original_body,
                                      const std::vector<const RecipientRecord*>& failed,
                                      const config::Config& config, QueueIdGenerator& ids,
                                      SysTime now);

}  // namespace postern::router
