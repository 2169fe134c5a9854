// Turning a queue record into a Forward header (on the router that forwards) and a Forward
// header into the gateway's queue record (issue 6). The gRPC pieces (forwarder.h,
// forward_service.h) only move these values.
//
// Contract: pure, no I/O; ids and time come in.
//  - make_forward_header() carries what the gateway needs and nothing that stays behind:
//    only the job's recipients (pending ones; delivered or bounced ones stay with the origin),
//    the original arrival time (retry.max_age keeps counting from it), the client facts, the
//    ENVID, the origin's attempt history per recipient, and the DKIM signing state with the
//    stored signatures, so the gateway prepends them and never signs again.
//  - body_to_forward(): the bytes to stream, i.e. the job's message without the stored
//    DKIM-Signature fields the scheduler prepended (they travel in the header).
//  - validate_forward_header() checks what a peer sent before anything is read further.
//  - forward_key(): the idempotency key, SHA-256 over (origin node, origin queue id,
//    recipients), fixed 64 hex digits: the same Forward retried gives the same key.
//  - gateway_record() routes the recipients here (the origin's destination name when this
//    node knows it, else this node's routes) and refuses (`refusal`) when this node does not
//    deliver to a recipient's destination itself: a forwarded message is never forwarded
//    again (hop limit 1), so a misconfigured gateway refuses and the origin fails over.
//
// SECURITY: the header comes from another router holding the cluster token (trusted peer,
// untrusted content): every string is bounded and free of control characters before it can
// reach a log, a DSN header or the queue; DKIM fields must look like DKIM-Signature fields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"
#include "postern/v1/router.pb.h"
#include "router/clock.h"
#include "router/queue.h"

namespace postern::router::forward {

// The stored signatures of a record may be at most this long (many selectors, 4096-bit RSA).
inline constexpr std::size_t kMaxSignatureBytes = 64 * 1024;

postern::v1::ForwardHeader make_forward_header(const MessageRecord& record,
                                               const std::vector<std::string>& recipients,
                                               std::string_view origin_node,
                                               uint64_t body_size);

std::string_view body_to_forward(const MessageRecord& record, std::string_view message);

// "" when acceptable, else why not (for INVALID_ARGUMENT).
std::string validate_forward_header(const postern::v1::ForwardHeader& header,
                                    const config::Config& config);

std::string forward_key(const postern::v1::ForwardHeader& header);

struct GatewayRecord {
  MessageRecord meta;
  std::string refusal;  // non-empty: not for this node (FAILED_PRECONDITION); meta unusable
};

// `header` passed validate_forward_header().
GatewayRecord gateway_record(const postern::v1::ForwardHeader& header,
                             const config::Config& config, std::string queue_id, SysTime now);

}  // namespace postern::router::forward
