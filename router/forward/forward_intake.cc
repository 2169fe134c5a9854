#include "router/forward/forward_intake.h"

#include "common/log/log.h"
#include "router/forward/forward_record.h"
#include "router/intake.h"

namespace postern::router::forward {
namespace {

constexpr int64_t kPruneEveryMs = 3600 * 1000;
constexpr int64_t kKeepExtraMs = 24 * 3600 * 1000;

}  // namespace

ForwardIntake::ForwardIntake(const config::Config& config, Queue& queue, QueueIdGenerator& ids,
                             const Clock& clock, Counters& counters, OnStored on_stored)
    : config_(config), queue_(queue), ids_(ids), clock_(clock), counters_(counters),
      on_stored_(std::move(on_stored)) {}

ForwardResult ForwardIntake::check(const postern::v1::ForwardHeader& header) const {
  if (std::string why = validate_forward_header(header, config_); !why.empty()) {
    const bool large = header.size() > max_submit_bytes(config_);
    return {large ? ForwardResult::Code::too_large : ForwardResult::Code::invalid, why, {}, false};
  }
  GatewayRecord probe = gateway_record(header, config_, "check", clock_.now());
  if (!probe.refusal.empty()) return {ForwardResult::Code::not_served, probe.refusal, {}, false};
  return {};
}

void ForwardIntake::prune_keys() {
  const int64_t now = to_unix_ms(clock_.now());
  {
    std::lock_guard lock(mu_);
    if (now - last_prune_ms_ < kPruneEveryMs) return;
    last_prune_ms_ = now;
  }
  const int64_t keep_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(config_.router.retry.max_age).count() +
      kKeepExtraMs;
  if (const std::size_t n = queue_.prune_forwarded(now - keep_ms); n > 0) {
    log::get("router")->info("forget {} forward key(s) older than retry.max_age + 1 day", n);
  }
}

void ForwardIntake::store(const postern::v1::ForwardHeader& header, std::string body, Done done) {
  prune_keys();
  if (ForwardResult r = check(header); r.code != ForwardResult::Code::ok) {
    ++counters_.forward_refused;
    return done(std::move(r));
  }
  if (body.size() != header.size()) {
    ++counters_.forward_refused;
    return done({ForwardResult::Code::invalid, "body size differs from the declared size", {},
                 false});
  }
  std::string key = forward_key(header);
  {
    std::lock_guard lock(mu_);
    if (!in_progress_.insert(key).second) {
      return done({ForwardResult::Code::busy,
                   "a Forward of this message is being stored; retry later", {}, false});
    }
  }
  // Under the in-progress mark: no other store() of this key can run between this lookup and
  // the enqueue below.
  if (auto existing = queue_.forwarded_id(key)) {
    {
      std::lock_guard lock(mu_);
      in_progress_.erase(key);
    }
    ++counters_.forward_duplicates;
    log::get("router")->info("{}: Forward of {}/{} repeated: already stored, nothing stored again",
                             *existing, header.origin_node(), header.origin_queue_id());
    return done({ForwardResult::Code::ok, {}, *existing, true});
  }

  const SysTime now = clock_.now();
  NewMessage message;
  message.meta = gateway_record(header, config_, ids_.next(), now).meta;
  message.body = std::move(body);
  message.forward_key = key;
  const std::string id = message.meta.queue_id();
  const std::string origin = header.origin_node() + "/" + header.origin_queue_id();
  const int recipients = header.recipients_size();
  std::vector<NewMessage> batch;
  batch.push_back(std::move(message));
  queue_.enqueue(std::move(batch), [this, key, id, origin, recipients,
                                    done = std::move(done)](QueueStatus status) {
    {
      std::lock_guard lock(mu_);
      in_progress_.erase(key);
    }
    if (!status.ok()) {
      ++counters_.forward_refused;
      return done({ForwardResult::Code::unavailable, "queue write failed: " + status.error, {},
                   false});
    }
    ++counters_.forwarded_in;
    log::get("router")->info("{}: forwarded from {} ({} recipient(s)), stored", id, origin,
                             recipients);
    on_stored_(id);
    done({ForwardResult::Code::ok, {}, id, false});
  });
}

}  // namespace postern::router::forward
