// The scheduler: which queued message is attempted when, by which deliverer, and what each
// outcome does to the queue. Postfix's qmgr, for one router.
//
// Model:
//  - An in-memory due index (queue id -> due time) over the queue. recover() rebuilds it from
//    the queue at start (pending mail resumes after a restart or kill -9); enqueued() adds new
//    messages (due now); outcomes re-add them at their next attempt time.
//  - A due message starts a "round": its body and record are loaded, its pending recipients
//    grouped by (destination, domain) into DeliveryJobs, one deliverer per destination (made
//    on first use by the factory). At most router.delivery_concurrency jobs run at once; a
//    round's jobs wait in a FIFO for a slot, and a new round starts only when that FIFO is
//    empty (so memory holds at most a few rounds' bodies, however large the backlog).
//  - When a round's last job finishes, every outcome is applied in ONE queue write
//    (Queue::commit_outcome): delivered -> DELIVERED; temporary -> attempts+1 and the next
//    attempt from router.retry.schedule, or FAILED with Status 4.4.7 once the message is older
//    than retry.max_age; permanent -> FAILED with the reply's status. Recipients failed in
//    the round get one DSN, stored in that same write (never for the null sender). A message
//    without pending recipients is removed in that same write.
//  - A round attempts all of the message's pending recipients: their retry times are set
//    together, and an admin "retry" makes the whole message due.
//  - DKIM signing (router/signing/, with a MessageSigner): before a message's first round its
//    signing is decided (MessageRecord.signing_state UNDECIDED -> NOT_SIGNED or SIGNED). To
//    sign, the round first awaits ONE keystore call for all selectors, then stores the
//    DKIM-Signature fields in the record (Queue::commit_outcome, remove=false) BEFORE any job
//    runs; every job's message is those fields + the body, so retries never re-sign and every
//    destination kind gets the same bytes. A signing in progress takes one job slot. When
//    signing fails (keystore unreachable, ...) no job runs: the pending recipients' last_reply
//    says "waiting for DKIM signature: <why>" and the message is due again after 30 s,
//    doubling to 5 min (signing_failures, not delivery attempts); retry.max_age still
//    applies (4.4.7 with a DSN). A message is never delivered unsigned once its plan says
//    to sign it.
//  - Designated gateway (issue 6): pending recipients of a destination whose served_by does
//    not name this node form ONE job per destination (all domains; job.domain ""), which the
//    factory's deliverer (router/forward/forwarder.h) forwards to a gateway after the signing
//    step above; its outcomes are applied like any delivery's (delivered = the gateway stored
//    it durably; temporary = waits on router.retry; max_age bounces from here). Every job
//    carries the round's record (DeliveryJob::record).
//
// Threading: everything runs on `executor` (the delivery io_context: one thread, shared with
// the DNS resolver and the deliverers). The public methods other than recover() may be called
// from any thread; they post to the executor. Completion callbacks run on the executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <deque>
#include <optional>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/config/config.h"
#include "common/log/log.h"
#include "router/clock.h"
#include "router/counters.h"
#include "router/delivery.h"
#include "router/queue.h"
#include "router/queue_id.h"
#include "router/signing/message_signer.h"

namespace postern::router {

class Scheduler {
 public:
  using DelivererFactory =
      std::function<std::unique_ptr<Deliverer>(const config::Destination& destination)>;

  // `signer` (optional, not owned, must outlive the scheduler): DKIM signing; nullptr when
  // router.dkim.signing is off (records are then left UNDECIDED and delivered as queued).
  Scheduler(boost::asio::any_io_executor executor, const config::Config& config, Queue& queue,
            QueueIdGenerator& ids, const Clock& clock, Counters& counters,
            DelivererFactory factory, signing::MessageSigner* signer = nullptr);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Rebuilds the due index from the queue. Call once, before the executor runs anything of
  // this scheduler. Returns the number of messages with pending recipients.
  std::size_t recover();

  // Starts dispatching (arms the timer for the earliest due message).
  void start();

  // A message was durably queued: it is due now.
  void enqueued(std::string queue_id);

  // Admin: make every pending recipient due now. done(found).
  void retry_now(std::string queue_id, std::function<void(bool)> done);
  // Admin: remove without delivery and without DSN. A round in flight finishes, and its
  // outcomes are discarded. done(found).
  void remove(std::string queue_id, std::function<void(bool)> done);

  // Re-reads the clock and dispatches what is due (tests with a FakeClock call this after
  // advancing it; the timer does the same in production).
  void wake();

  // Stops starting jobs. `idle` runs (on the executor) once no job is in flight.
  void drain(std::function<void()> idle);
  // Cancels the jobs in flight (asio per-operation cancellation, terminal). Temporary
  // outcomes of cancelled jobs are not recorded: those recipients stay as they were.
  void cancel_in_flight();

  // Observability for tests and the admin: call on the executor.
  std::size_t tracked() const { return tracked_.size(); }
  std::size_t in_flight() const { return in_flight_; }
  // The due time of a tracked message that is not in flight.
  std::optional<SysTime> due_time(const std::string& queue_id) const;

 private:
  struct Round;
  struct Tracked {
    SysTime due{};
    bool in_flight = false;
    bool removed = false;          // admin delete during the round
    bool retry_requested = false;  // admin retry during the round
  };

  void schedule(const std::string& queue_id, SysTime due);
  void pump();
  void arm_timer();
  void open_round(const std::string& queue_id);
  void start_jobs(const std::shared_ptr<Round>& round);
  boost::asio::awaitable<void> sign_round(std::shared_ptr<Round> round,
                                          signing::SigningPlan plan);
  void signing_done(const std::shared_ptr<Round>& round, signing::SigningOutcome outcome);
  // Writes `meta` (its outcomes applied; `failed` marked FAILED) with the DSN for `failed`,
  // removes it when nothing is pending, and reschedules or forgets it.
  void commit_round(std::unordered_map<std::string, Tracked>::iterator tracked,
                    MessageRecord& meta, const std::string& body,
                    const std::vector<const RecipientRecord*>& failed, SysTime now);
  void launch(const std::shared_ptr<Round>& round, std::size_t job);
  boost::asio::awaitable<void> run_job(std::shared_ptr<Round> round, std::size_t job);
  void job_done(const std::shared_ptr<Round>& round, std::size_t job,
                std::vector<Outcome> outcomes);
  void finish_round(const std::shared_ptr<Round>& round);
  Deliverer* deliverer_for(const config::Destination& destination);
  void check_idle();

  boost::asio::any_io_executor executor_;
  const config::Config& config_;
  Queue& queue_;
  QueueIdGenerator& ids_;
  const Clock& clock_;
  Counters& counters_;
  DelivererFactory factory_;
  signing::MessageSigner* signer_;
  std::shared_ptr<spdlog::logger> log_;

  std::unordered_map<std::string, Tracked> tracked_;
  std::set<std::pair<SysTime, std::string>> due_;  // not in flight only
  std::deque<std::pair<std::shared_ptr<Round>, std::size_t>> ready_;  // jobs waiting for a slot
  std::map<const config::Destination*, std::unique_ptr<Deliverer>> deliverers_;
  std::unordered_map<std::string, std::shared_ptr<Round>> rounds_;    // in flight, by queue id
  std::size_t in_flight_ = 0;
  bool started_ = false;
  bool draining_ = false;
  bool cancelled_ = false;
  std::function<void()> on_idle_;
  boost::asio::steady_timer timer_;
  SysTime timer_due_ = SysTime::max();
};

}  // namespace postern::router
