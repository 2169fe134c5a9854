#include "router/intake.h"

#include "common/log/log.h"
#include "router/bounce.h"

namespace postern::router {

uint64_t max_submit_bytes(const config::Config& config) {
  return config.edge.limits.max_message_bytes + kSubmitHeaderSlack;
}

bool valid_path(std::string_view address, bool allow_empty) {
  if (address.empty()) return allow_empty;
  if (address.size() > 512) return false;
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

std::string validate_dmarc_evaluations(
    const google::protobuf::RepeatedPtrField<std::string>& records) {
  if (records.size() > kMaxDmarcEvaluations) return "too many DMARC evaluation records";
  for (const std::string& r : records) {
    if (r.empty() || r.size() > kMaxDmarcEvaluationBytes)
      return "invalid DMARC evaluation record size";
    const auto end = r.find_first_of("\r\n");
    if (end != std::string::npos && end != r.size() - 1)
      return "DMARC evaluation record is not one line";
  }
  return {};
}

std::string validate_header(const postern::v1::SubmitHeader& header, const config::Config& config) {
  const auto& envelope = header.envelope();
  if (!valid_path(envelope.mail_from(), true)) return "invalid envelope sender";
  if (envelope.recipients_size() == 0) return "no recipients";
  // The edge enforces edge.limits.max_recipients per transaction; a router accepts a little
  // more (other routers forward whole messages), but not without bound.
  const auto limit = std::max<uint32_t>(config.edge.limits.max_recipients, 1000);
  if (static_cast<uint32_t>(envelope.recipients_size()) > limit) return "too many recipients";
  for (const auto& r : envelope.recipients()) {
    if (!valid_path(r.address(), false)) return "invalid recipient address";
  }
  if (envelope.envid().size() > 100 || !valid_path(envelope.envid(), true)) return "invalid ENVID";
  if (header.size() > max_submit_bytes(config)) return "message too large";
  return validate_dmarc_evaluations(header.dmarc_evaluations());
}

Intake::Intake(const config::Config& config, Queue& queue, QueueIdGenerator& ids,
               const Clock& clock, Counters& counters, OnStored on_stored)
    : config_(config), queue_(queue), ids_(ids), clock_(clock), counters_(counters),
      on_stored_(std::move(on_stored)) {}

void Intake::submit(const postern::v1::SubmitHeader& header, std::string body, Done done) {
  if (std::string why = validate_header(header, config_); !why.empty()) {
    ++counters_.submit_refused;
    const auto code = header.size() > max_submit_bytes(config_) ? IntakeResult::Code::too_large
                                                                : IntakeResult::Code::invalid;
    done(IntakeResult{code, why, {}});
    return;
  }
  if (body.size() != header.size()) {
    ++counters_.submit_refused;
    done(IntakeResult{IntakeResult::Code::invalid, "body size differs from the declared size", {}});
    return;
  }

  const SysTime now = clock_.now();
  NewMessage original;
  MessageRecord& meta = original.meta;
  meta.set_queue_id(ids_.next());
  *meta.mutable_envelope() = header.envelope();
  meta.mutable_envelope()->clear_recipients();
  *meta.mutable_client() = header.client();
  meta.set_received_unix_ms(to_unix_ms(now));
  meta.set_size(body.size());
  meta.set_eight_bit(header.envelope().body() != postern::v1::BODY_TYPE_UNSPECIFIED);

  std::vector<const RecipientRecord*> unroutable;
  for (const auto& r : header.envelope().recipients()) {
    *meta.add_recipients() = route_recipient(config_.router, r.address());
  }
  bool any_pending = false;
  for (const RecipientRecord& r : meta.recipients()) {
    if (r.status() == postern::v1::queue::RECIPIENT_STATUS_PENDING) {
      any_pending = true;
    } else {
      unroutable.push_back(&r);
    }
  }
  counters_.unroutable += unroutable.size();

  std::vector<NewMessage> batch;
  const std::string queue_id = meta.queue_id();
  if (!unroutable.empty()) {
    if (auto dsn = make_bounce(meta, body, unroutable, config_, ids_, now)) {
      batch.push_back(std::move(*dsn));
      ++counters_.dsn_queued;
    } else {
      ++counters_.dsn_suppressed;
      log::get("router")->warn("{}: {} unroutable recipient(s), no DSN possible (sender <{}>)",
                               queue_id, unroutable.size(), meta.envelope().mail_from());
    }
  }
  if (any_pending) {
    original.body = std::move(body);
    batch.insert(batch.begin(), std::move(original));
  }
  std::vector<std::string> evaluations(header.dmarc_evaluations().begin(),
                                       header.dmarc_evaluations().end());
  if (!batch.empty()) {
    batch.front().dmarc_evaluations = std::move(evaluations);
  } else if (!evaluations.empty()) {
    // Nothing else to store (a double bounce discarded): the records still count.
    queue_.record_dmarc(std::move(evaluations), [queue_id](QueueStatus status) {
      if (!status.ok())
        log::get("router")->warn("{}: DMARC records not stored: {}", queue_id, status.error);
    });
  }
  if (batch.empty()) {
    ++counters_.submit_accepted;
    done(IntakeResult{IntakeResult::Code::ok, {}, queue_id});
    return;
  }

  std::vector<std::string> stored;
  for (const NewMessage& m : batch) stored.push_back(m.meta.queue_id());
  queue_.enqueue(std::move(batch), [this, stored = std::move(stored), queue_id,
                                    done = std::move(done)](QueueStatus status) {
    if (!status.ok()) {
      ++counters_.submit_refused;
      done(IntakeResult{IntakeResult::Code::unavailable, "queue write failed: " + status.error, {}});
      return;
    }
    for (const std::string& id : stored) on_stored_(id);
    ++counters_.submit_accepted;
    done(IntakeResult{IntakeResult::Code::ok, {}, queue_id});
  });
}

}  // namespace postern::router

namespace postern::router {

void Intake::record_dmarc(const postern::v1::RecordDmarcRequest& request, Done done) {
  if (std::string why = validate_dmarc_evaluations(request.evaluations()); !why.empty()) {
    done(IntakeResult{IntakeResult::Code::invalid, why, {}});
    return;
  }
  std::vector<std::string> evaluations(request.evaluations().begin(), request.evaluations().end());
  queue_.record_dmarc(std::move(evaluations), [done = std::move(done)](QueueStatus status) {
    if (!status.ok()) {
      done(IntakeResult{IntakeResult::Code::unavailable, "queue write failed: " + status.error,
                        {}});
      return;
    }
    done(IntakeResult{IntakeResult::Code::ok, {}, {}});
  });
}

}  // namespace postern::router
