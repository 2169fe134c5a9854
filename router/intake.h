// The intake: turns one submitted message (header + body) into queue records and stores them
// durably. The gRPC adapter (submit_service.h) only translates to and from this.
//
// Contract:
//  - validate_submission() is pure: it checks the header (envelope syntax, limits) and the
//    body size against the declared size and the cap; "" means acceptable.
//  - submit() routes every recipient (router.routes, see bounce.h for the no-route policy),
//    builds the record, and enqueues it together with a DSN for unroutable recipients in one
//    durable batch. `done` runs exactly once: on the calling thread when the submission is
//    refused before storage, otherwise on the queue's committer thread after the WAL sync.
//    `on_stored` (scheduler notification) runs before `done` for every stored message.
//  - A message whose recipients are all unroutable is not stored; its DSN is (null sender:
//    nothing is stored and the submission still succeeds, as Postfix discards a double
//    bounce; logged).
//  - The header's DMARC evaluation records are stored in the same durable batch as the
//    message (or its DSN); record_dmarc() stores those of refused messages alone, synced.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/config/config.h"
#include "postern/v1/router.pb.h"
#include "router/clock.h"
#include "router/counters.h"
#include "router/queue.h"
#include "router/queue_id.h"

namespace postern::router {

struct IntakeResult {
  enum class Code { ok, invalid, too_large, unavailable };
  Code code = Code::ok;
  std::string detail;    // why not ok (for the gRPC status message and logs)
  std::string queue_id;  // ok: the id to show the client
};

// Header slack on top of edge.limits.max_message_bytes: the edge prepends Received and
// Authentication-Results to a message it already size-checked.
inline constexpr uint64_t kSubmitHeaderSlack = 64 * 1024;

// The largest body a Submit may carry.
uint64_t max_submit_bytes(const config::Config& config);

// Envelope checks that do not depend on the body. "" when acceptable.
std::string validate_header(const postern::v1::SubmitHeader& header, const config::Config& config);

// DMARC evaluation records per message / per RecordDmarc call, and bytes per record.
inline constexpr int kMaxDmarcEvaluations = 16;
inline constexpr std::size_t kMaxDmarcEvaluationBytes = 16 * 1024;

// "" when the records are within the caps above and single lines (no CR/LF but a final LF).
std::string validate_dmarc_evaluations(
    const google::protobuf::RepeatedPtrField<std::string>& records);

// A forward- or reverse-path as the edge sends it: non-empty (unless `allow_empty`), at most
// 512 octets, no control characters (so never CR/LF: addresses are copied into DSN headers).
bool valid_path(std::string_view address, bool allow_empty);

class Intake {
 public:
  using Done = std::function<void(IntakeResult)>;
  using OnStored = std::function<void(const std::string& queue_id)>;

  Intake(const config::Config& config, Queue& queue, QueueIdGenerator& ids, const Clock& clock,
         Counters& counters, OnStored on_stored);

  // `header` must have passed validate_header(); body.size() must equal header.size().
  void submit(const postern::v1::SubmitHeader& header, std::string body, Done done);

  // Stores the DMARC records of a message refused in the dialogue (Router/RecordDmarc).
  // `done` as for submit(): invalid when validate_dmarc_evaluations() refuses them.
  void record_dmarc(const postern::v1::RecordDmarcRequest& request, Done done);

 private:
  const config::Config& config_;
  Queue& queue_;
  QueueIdGenerator& ids_;
  const Clock& clock_;
  Counters& counters_;
  OnStored on_stored_;
};

}  // namespace postern::router
