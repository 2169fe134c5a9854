// An SPF check started now and awaited later: the edge starts it at MAIL FROM so the DNS work
// overlaps the rest of the dialogue, and awaits the verdict at end of DATA (or at RCPT).
//
// Contract: start() spawns the check on `executor` (the resolver's executor) and returns at
// once. wait() may be awaited any number of times, by any coroutine on that executor, before
// or after completion; it never throws. Dropping every handle does not cancel the check: it
// runs to completion (bounded by Limits::time_budget) and frees itself. The resolver must
// outlive every check started on it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "common/mailauth/spf/check_host.h"

namespace postern::spf {

class PendingCheck {
 public:
  using Work = std::function<boost::asio::awaitable<Verdict>()>;

  // Starts `work` (e.g. a call of check_mail_from bound to its arguments).
  static std::shared_ptr<PendingCheck> start(boost::asio::any_io_executor executor, Work work);

  // Convenience for the MAIL FROM identity; the arguments are those of check_mail_from().
  static std::shared_ptr<PendingCheck> start_mail_from(boost::asio::any_io_executor executor,
                                                       dns::Resolver& resolver,
                                                       boost::asio::ip::address ip,
                                                       std::string mail_from, std::string helo,
                                                       std::string receiver, Limits limits = {});

  bool ready() const { return verdict_.has_value(); }
  boost::asio::awaitable<Verdict> wait();

  explicit PendingCheck(boost::asio::any_io_executor executor);

 private:
  static boost::asio::awaitable<void> run(std::shared_ptr<PendingCheck> self, Work work);
  void finish(Verdict verdict);

  boost::asio::steady_timer signal_;  // expires never; cancelled on completion
  std::optional<Verdict> verdict_;
};

}  // namespace postern::spf
