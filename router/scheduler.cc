#include "router/scheduler.h"

#include <algorithm>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "router/bounce.h"
#include "router/forward/gateway_choice.h"
#include "router/retry.h"
#include "router/routes.h"

namespace postern::router {
namespace {

namespace asio = boost::asio;
using postern::v1::queue::RECIPIENT_STATUS_DELIVERED;
using postern::v1::queue::RECIPIENT_STATUS_FAILED;
using postern::v1::queue::RECIPIENT_STATUS_PENDING;
using postern::v1::queue::SIGNING_STATE_NOT_SIGNED;
using postern::v1::queue::SIGNING_STATE_SIGNED;
using postern::v1::queue::SIGNING_STATE_UNDECIDED;

// The timer never sleeps longer than this, so a wall-clock step is noticed within a minute.
constexpr auto kMaxTimerSleep = std::chrono::seconds(60);

// Status for a DSN after a permanent failure: the reply's own 5.x.x, else 5.0.0 (RFC 3463:
// other undefined status), since the class of a permanent failure is 5 whatever was said.
std::string permanent_status(const smtp::Reply& reply) {
  if (reply.status().present() && reply.status().cls == 5) return reply.status().to_string();
  return "5.0.0";
}

// Waiting for a DKIM signature: 30 s after the first failure, doubling, at most 5 minutes.
std::chrono::seconds signing_backoff(uint32_t failures) {
  const uint32_t doublings = std::min<uint32_t>(failures > 0 ? failures - 1 : 0, 4);
  return std::min(std::chrono::seconds(30) * (1u << doublings), std::chrono::seconds(300));
}

Outcome local_outcome(Outcome::Kind kind, smtp::Reply reply) {
  Outcome o;
  o.kind = kind;
  o.reply = std::move(reply);
  return o;
}

}  // namespace

struct Scheduler::Round {
  MessageRecord meta;
  std::shared_ptr<const std::string> body;
  std::vector<DeliveryJob> jobs;
  std::vector<std::vector<int>> members;          // per job: indexes into meta.recipients
  std::vector<std::optional<Outcome>> outcomes;  // per recipient; nullopt: not attempted
  // Per job, once launched. Shared with the job's completion handler: asio requires a signal
  // to outlive the operation bound to it, and the round may go before the coroutine frame.
  std::vector<std::shared_ptr<asio::cancellation_signal>> signals;
  std::size_t unfinished = 0;                     // jobs not yet finished or dropped
};

Scheduler::Scheduler(asio::any_io_executor executor, const config::Config& config, Queue& queue,
                     QueueIdGenerator& ids, const Clock& clock, Counters& counters,
                     DelivererFactory factory, signing::MessageSigner* signer)
    : executor_(std::move(executor)), config_(config), queue_(queue), ids_(ids), clock_(clock),
      counters_(counters), factory_(std::move(factory)), signer_(signer),
      log_(log::get("router")),
      timer_(executor_) {}

Scheduler::~Scheduler() = default;

std::size_t Scheduler::recover() {
  const SysTime now = clock_.now();
  std::vector<std::string> finished;
  queue_.for_each([&](const MessageRecord& m) {
    std::optional<SysTime> due;
    for (const RecipientRecord& r : m.recipients()) {
      if (r.status() != RECIPIENT_STATUS_PENDING) continue;
      const SysTime t = std::max(now, from_unix_ms(r.next_attempt_unix_ms()));
      due = due ? std::min(*due, t) : t;
    }
    if (due) {
      tracked_[m.queue_id()].due = *due;
      due_.emplace(*due, m.queue_id());
    } else {
      finished.push_back(m.queue_id());  // cannot happen (removed in the same write); heal
    }
    return true;
  });
  for (const std::string& id : finished) queue_.remove(id);
  log_->info("queue recovered: {} message(s) pending", tracked_.size());
  return tracked_.size();
}

void Scheduler::start() {
  asio::post(executor_, [this] {
    started_ = true;
    pump();
  });
}

void Scheduler::enqueued(std::string queue_id) {
  asio::post(executor_, [this, id = std::move(queue_id)] {
    if (tracked_.count(id)) return;
    schedule(id, clock_.now());
    pump();
  });
}

void Scheduler::retry_now(std::string queue_id, std::function<void(bool)> done) {
  asio::post(executor_, [this, id = std::move(queue_id), done = std::move(done)] {
    auto it = tracked_.find(id);
    if (it == tracked_.end() || it->second.removed) return done(false);
    if (it->second.in_flight) {
      it->second.retry_requested = true;
    } else {
      due_.erase({it->second.due, id});
      schedule(id, clock_.now());
      pump();
    }
    done(true);
  });
}

void Scheduler::remove(std::string queue_id, std::function<void(bool)> done) {
  asio::post(executor_, [this, id = std::move(queue_id), done = std::move(done)] {
    auto it = tracked_.find(id);
    bool found = it != tracked_.end() && !it->second.removed;
    if (!found) found = queue_.load(id).has_value();
    if (auto status = queue_.remove(id); !status.ok()) {
      log_->error("{}: admin delete failed: {}", id, status.error);
      return done(false);
    }
    if (it != tracked_.end()) {
      if (it->second.in_flight) {
        it->second.removed = true;  // finish_round discards the outcomes
      } else {
        due_.erase({it->second.due, id});
        tracked_.erase(it);
      }
    }
    if (found) log_->info("{}: removed by admin", id);
    done(found);
    pump();
  });
}

void Scheduler::wake() {
  asio::post(executor_, [this] { pump(); });
}

void Scheduler::drain(std::function<void()> idle) {
  asio::post(executor_, [this, idle = std::move(idle)]() mutable {
    draining_ = true;
    on_idle_ = std::move(idle);
    timer_.cancel();
    // Jobs that never started leave their recipients as they were; a round whose other jobs
    // are done is finished now with what it has.
    auto dropped = std::move(ready_);
    ready_.clear();
    for (auto& [round, job] : dropped) {
      if (--round->unfinished == 0) finish_round(round);
    }
    check_idle();
  });
}

void Scheduler::cancel_in_flight() {
  asio::post(executor_, [this] {
    cancelled_ = true;
    for (auto& [id, round] : rounds_) {
      for (auto& signal : round->signals) {
        if (signal) signal->emit(asio::cancellation_type::terminal);
      }
    }
  });
}

std::optional<SysTime> Scheduler::due_time(const std::string& queue_id) const {
  auto it = tracked_.find(queue_id);
  if (it == tracked_.end() || it->second.in_flight) return std::nullopt;
  return it->second.due;
}

void Scheduler::schedule(const std::string& queue_id, SysTime due) {
  Tracked& t = tracked_[queue_id];
  t.due = due;
  t.in_flight = false;
  t.retry_requested = false;
  due_.emplace(due, queue_id);
}

void Scheduler::pump() {
  if (!started_ || draining_) return;
  const std::size_t cap = std::max<uint32_t>(config_.router.delivery_concurrency, 1);
  const SysTime now = clock_.now();
  while (in_flight_ < cap) {
    if (!ready_.empty()) {
      auto [round, job] = std::move(ready_.front());
      ready_.pop_front();
      launch(round, job);
      continue;
    }
    if (due_.empty() || due_.begin()->first > now) break;
    const std::string id = due_.begin()->second;
    due_.erase(due_.begin());
    open_round(id);
  }
  arm_timer();
}

void Scheduler::arm_timer() {
  const std::size_t cap = std::max<uint32_t>(config_.router.delivery_concurrency, 1);
  // Saturated: finishing jobs call pump(); a timer for already-due mail would only spin.
  if (draining_ || due_.empty() || in_flight_ >= cap) {
    if (timer_due_ != SysTime::max()) timer_.cancel();
    timer_due_ = SysTime::max();
    return;
  }
  const SysTime next = due_.begin()->first;
  if (next == timer_due_) return;
  timer_due_ = next;
  const auto delay = std::clamp<std::chrono::steady_clock::duration>(
      next - clock_.now(), std::chrono::steady_clock::duration::zero(), kMaxTimerSleep);
  timer_.expires_after(delay);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // re-armed or cancelled
    timer_due_ = SysTime::max();
    pump();
  });
}

void Scheduler::open_round(const std::string& queue_id) {
  auto tracked = tracked_.find(queue_id);
  if (tracked == tracked_.end()) return;
  tracked->second.in_flight = true;

  auto round = std::make_shared<Round>();
  auto meta = queue_.load(queue_id);
  round->body = queue_.load_body(queue_id);
  if (!meta || !round->body) {
    log_->error("{}: queued message vanished or is unreadable; dropping it from the schedule",
                queue_id);
    tracked_.erase(tracked);
    return;
  }
  round->meta = std::move(*meta);
  if (signer_ && round->meta.signing_state() == SIGNING_STATE_UNDECIDED) {
    signing::SigningPlan plan = signer_->plan(round->meta, *round->body);
    if (!plan.sign) {
      // Stored with this round's outcomes (finish_round's write).
      round->meta.set_signing_state(SIGNING_STATE_NOT_SIGNED);
      round->meta.set_signing_note(plan.reason);
      log_->info("{}: not DKIM-signed: {}", queue_id, plan.reason);
    } else {
      ++in_flight_;  // a signing takes one job slot
      rounds_[queue_id] = round;
      asio::co_spawn(executor_, sign_round(round, std::move(plan)), asio::detached);
      return;
    }
  }
  start_jobs(round);
}

asio::awaitable<void> Scheduler::sign_round(std::shared_ptr<Round> round,
                                            signing::SigningPlan plan) {
  const int64_t now = to_unix_ms(clock_.now()) / 1000;
  signing::SigningOutcome outcome;
  try {
    outcome = co_await signer_->sign(std::move(plan), *round->body, now);
  } catch (const std::exception& e) {
    outcome.ok = false;
    outcome.error = std::string("internal error: ") + e.what();
  }
  --in_flight_;
  signing_done(round, std::move(outcome));
}

void Scheduler::signing_done(const std::shared_ptr<Round>& round,
                             signing::SigningOutcome outcome) {
  const std::string id = round->meta.queue_id();
  rounds_.erase(id);
  auto tracked = tracked_.find(id);
  if (tracked == tracked_.end() || tracked->second.removed) {
    if (tracked != tracked_.end()) tracked_.erase(tracked);
    pump();
    check_idle();
    return;  // deleted by an admin meanwhile: store nothing
  }
  const SysTime now = clock_.now();
  MessageRecord& meta = round->meta;
  if (outcome.ok) {
    meta.set_signing_state(SIGNING_STATE_SIGNED);
    meta.set_dkim_signatures(outcome.fields);
    meta.clear_signing_note();
    // Stored BEFORE any delivery: a retry or a restart prepends these very fields.
    if (auto status = queue_.commit_outcome(meta, false, {}); status.ok()) {
      ++counters_.dkim_signed;
      log_->info("{}: DKIM-signed: {}", id, outcome.summary);
      if (draining_) {
        schedule(id, now);
        check_idle();
        return;
      }
      start_jobs(round);
      pump();
      check_idle();
      return;
    } else {
      ++counters_.queue_errors;
      meta.set_signing_state(SIGNING_STATE_UNDECIDED);
      meta.clear_dkim_signatures();
      outcome.ok = false;
      outcome.error = "cannot store the signature: " + status.error;
    }
  }

  // Not signed: no job runs; the message waits (or expires), no delivery attempt counted.
  ++counters_.dkim_waits;
  meta.set_signing_failures(meta.signing_failures() + 1);
  meta.set_signing_note(outcome.error);
  const std::string reason = "waiting for DKIM signature: " + outcome.error;
  log_->warn("{}: {}", id, reason);
  const bool is_expired =
      expired(from_unix_ms(meta.received_unix_ms()), now, config_.router.retry.max_age);
  const SysTime next = now + signing_backoff(meta.signing_failures());
  std::vector<const RecipientRecord*> failed;
  for (RecipientRecord& r : *meta.mutable_recipients()) {
    if (r.status() != RECIPIENT_STATUS_PENDING) continue;
    r.set_last_reply(reason);
    r.set_remote("");
    if (is_expired) {
      r.set_status(RECIPIENT_STATUS_FAILED);
      r.set_dsn_status("4.4.7");  // RFC 3463: delivery time expired
      failed.push_back(&r);
      ++counters_.failed;
      ++counters_.expired;
      log_->info("{}: to=<{}> status=expired ({})", id, r.address(), reason);
    } else {
      r.set_next_attempt_unix_ms(to_unix_ms(next));
    }
  }
  commit_round(tracked, meta, *round->body, failed, now);
  pump();
  check_idle();
}

void Scheduler::start_jobs(const std::shared_ptr<Round>& round) {
  const std::string queue_id = round->meta.queue_id();
  const MessageRecord& m = round->meta;
  round->outcomes.resize(static_cast<std::size_t>(m.recipients_size()));
  // Signed mail leaves with its stored DKIM-Signature fields, whatever the destination.
  std::shared_ptr<const std::string> message = round->body;
  if (m.signing_state() == SIGNING_STATE_SIGNED && !m.dkim_signatures().empty()) {
    message = std::make_shared<const std::string>(m.dkim_signatures() + *round->body);
  }

  std::map<std::pair<std::string, std::string>, std::size_t> job_of;  // (destination, domain)
  for (int i = 0; i < m.recipients_size(); ++i) {
    RecipientRecord& r = *round->meta.mutable_recipients(i);
    if (r.status() != RECIPIENT_STATUS_PENDING) continue;
    auto dest = config_.router.destinations.find(r.destination());
    if (dest == config_.router.destinations.end()) {
      // The configuration changed since intake: route again, as at intake.
      if (auto name = route_domain(config_.router.routes, r.domain())) {
        r.set_destination(*name);
        dest = config_.router.destinations.find(*name);
      }
    }
    if (dest == config_.router.destinations.end()) {
      round->outcomes[static_cast<std::size_t>(i)] = local_outcome(
          Outcome::Kind::permanent,
          smtp::Reply(550, {5, 1, 2}, "No route to the recipient's domain"));
      continue;
    }
    // A destination this node does not serve is one Forward to its gateway for all domains
    // (router/forward/): the job's domain is then "".
    const bool forwarded = !forward::delivers_itself(dest->second, config_.node.name);
    const auto key = std::make_pair(dest->first, forwarded ? std::string() : r.domain());
    auto [it, added] = job_of.emplace(key, round->jobs.size());
    if (added) {
      DeliveryJob job;
      job.queue_id = m.queue_id();
      job.mail_from = m.envelope().mail_from();
      job.domain = key.second;
      job.record = &round->meta;
      job.destination = &dest->second;
      job.message = message;
      job.smtputf8 = m.envelope().smtputf8();
      job.eight_bit = m.eight_bit();
      round->jobs.push_back(std::move(job));
      round->members.emplace_back();
    }
    round->jobs[it->second].recipients.push_back(r.address());
    round->members[it->second].push_back(i);
  }
  round->signals.resize(round->jobs.size());
  round->unfinished = round->jobs.size();
  rounds_[queue_id] = round;
  if (round->unfinished == 0) {
    finish_round(round);
    return;
  }
  for (std::size_t j = 0; j < round->jobs.size(); ++j) ready_.emplace_back(round, j);
}

void Scheduler::launch(const std::shared_ptr<Round>& round, std::size_t job) {
  ++in_flight_;
  auto signal = std::make_shared<asio::cancellation_signal>();
  round->signals[job] = signal;
  asio::co_spawn(executor_, run_job(round, job),
                 asio::bind_cancellation_slot(signal->slot(),
                                              [signal](std::exception_ptr) {}));
}

asio::awaitable<void> Scheduler::run_job(std::shared_ptr<Round> round, std::size_t job) {
  const DeliveryJob& j = round->jobs[job];
  std::vector<Outcome> outcomes;
  std::string error;
  if (Deliverer* deliverer = deliverer_for(*j.destination)) {
    try {
      outcomes = co_await deliverer->deliver(j);
    } catch (const std::exception& e) {
      error = e.what();
    }
  } else {
    error = "no deliverer for destination " + j.destination->name;
  }
  if (error.empty() && outcomes.size() != j.recipients.size()) {
    error = "deliverer returned " + std::to_string(outcomes.size()) + " outcomes for " +
            std::to_string(j.recipients.size()) + " recipients";
  }
  if (!error.empty()) {
    // A fault of ours, not of the recipient: retry (Deliverer's contract says it never
    // throws for remote trouble, so this is a bug or a resource problem).
    log_->error("{}: delivery to {} failed internally: {}", j.queue_id, j.domain, error);
    outcomes.assign(j.recipients.size(),
                    local_outcome(Outcome::Kind::temporary,
                                  smtp::Reply(451, {4, 3, 0}, "Internal delivery error")));
  }
  job_done(round, job, std::move(outcomes));
}

void Scheduler::job_done(const std::shared_ptr<Round>& round, std::size_t job,
                         std::vector<Outcome> outcomes) {
  --in_flight_;
  ++counters_.attempts;
  const auto& members = round->members[job];
  for (std::size_t k = 0; k < members.size(); ++k) {
    round->outcomes[static_cast<std::size_t>(members[k])] = std::move(outcomes[k]);
  }
  if (--round->unfinished == 0) finish_round(round);
  pump();
  check_idle();
}

void Scheduler::finish_round(const std::shared_ptr<Round>& round) {
  const std::string id = round->meta.queue_id();
  rounds_.erase(id);
  auto tracked = tracked_.find(id);
  if (tracked == tracked_.end() || tracked->second.removed) {
    if (tracked != tracked_.end()) tracked_.erase(tracked);
    return;  // deleted by an admin meanwhile: its outcomes no longer matter
  }

  const SysTime now = clock_.now();
  MessageRecord& meta = round->meta;
  const SysTime received = from_unix_ms(meta.received_unix_ms());
  std::vector<const RecipientRecord*> failed;
  for (int i = 0; i < meta.recipients_size(); ++i) {
    auto& slot = round->outcomes[static_cast<std::size_t>(i)];
    if (!slot) continue;
    const Outcome& o = *slot;
    // Shutting down: an attempt cut short says nothing about the recipient.
    if (cancelled_ && o.kind == Outcome::Kind::temporary) continue;
    RecipientRecord& r = *meta.mutable_recipients(i);
    r.set_attempts(r.attempts() + 1);
    r.set_last_attempt_unix_ms(to_unix_ms(now));
    r.set_last_reply(o.reply.to_string());
    r.set_remote(o.remote);
    const char* verdict = "";
    switch (o.kind) {
      case Outcome::Kind::delivered:
        r.set_status(RECIPIENT_STATUS_DELIVERED);
        ++counters_.delivered;
        verdict = "sent";
        break;
      case Outcome::Kind::permanent:
        r.set_status(RECIPIENT_STATUS_FAILED);
        r.set_dsn_status(permanent_status(o.reply));
        failed.push_back(&r);
        ++counters_.failed;
        verdict = "bounced";
        break;
      case Outcome::Kind::temporary:
        if (expired(received, now, config_.router.retry.max_age)) {
          r.set_status(RECIPIENT_STATUS_FAILED);
          r.set_dsn_status("4.4.7");  // RFC 3463: delivery time expired
          failed.push_back(&r);
          ++counters_.failed;
          ++counters_.expired;
          verdict = "expired";
        } else {
          r.set_next_attempt_unix_ms(
              to_unix_ms(next_attempt(now, config_.router.retry.schedule, r.attempts())));
          ++counters_.deferred;
          verdict = "deferred";
        }
        break;
    }
    log_->info("{}: to=<{}> relay={} attempts={} status={} ({})", id, r.address(),
               o.remote.empty() ? r.destination() : o.remote, r.attempts(), verdict,
               r.last_reply());
  }

  commit_round(tracked, meta, *round->body, failed, now);
}

void Scheduler::commit_round(std::unordered_map<std::string, Tracked>::iterator tracked,
                             MessageRecord& meta, const std::string& body,
                             const std::vector<const RecipientRecord*>& failed, SysTime now) {
  const std::string id = meta.queue_id();
  std::optional<SysTime> next;
  for (const RecipientRecord& r : meta.recipients()) {
    if (r.status() != RECIPIENT_STATUS_PENDING) continue;
    const SysTime t = std::max(now, from_unix_ms(r.next_attempt_unix_ms()));
    next = next ? std::min(*next, t) : t;
  }

  std::vector<NewMessage> dsns;
  if (!failed.empty()) {
    if (auto dsn = make_bounce(meta, body, failed, config_, ids_, now)) {
      log_->info("{}: sender non-delivery notification: {}", id, dsn->meta.queue_id());
      dsns.push_back(std::move(*dsn));
    } else {
      ++counters_.dsn_suppressed;
      log_->info("{}: no DSN for {} failed recipient(s) (sender <{}>)", id, failed.size(),
                 meta.envelope().mail_from());
    }
  }
  std::vector<std::string> dsn_ids;
  for (const NewMessage& d : dsns) dsn_ids.push_back(d.meta.queue_id());

  if (auto status = queue_.commit_outcome(meta, !next, std::move(dsns)); !status.ok()) {
    // Nothing of this round was written (one atomic batch): try the whole message again.
    ++counters_.queue_errors;
    log_->error("{}: cannot record delivery outcome: {}", id, status.error);
    schedule(id, now + retry_delay(config_.router.retry.schedule, 1));
    return;
  }
  counters_.dsn_queued += dsn_ids.size();
  if (!next) {
    ++counters_.removed;
    log_->info("{}: removed", id);
    tracked_.erase(tracked);
  } else {
    schedule(id, tracked->second.retry_requested ? now : *next);
  }
  for (const std::string& d : dsn_ids) schedule(d, now);
}

Deliverer* Scheduler::deliverer_for(const config::Destination& destination) {
  auto it = deliverers_.find(&destination);
  if (it != deliverers_.end()) return it->second.get();
  std::unique_ptr<Deliverer> made;
  try {
    made = factory_(destination);
  } catch (const std::exception& e) {
    log_->error("cannot set up delivery to destination {}: {}", destination.name, e.what());
  }
  if (!made) return nullptr;  // tried again on the next job
  return deliverers_.emplace(&destination, std::move(made)).first->second.get();
}

void Scheduler::check_idle() {
  if (draining_ && in_flight_ == 0 && on_idle_) {
    auto idle = std::move(on_idle_);
    on_idle_ = nullptr;
    idle();
  }
}

}  // namespace postern::router
