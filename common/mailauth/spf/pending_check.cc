#include "common/mailauth/spf/pending_check.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

namespace postern::spf {

namespace asio = boost::asio;

PendingCheck::PendingCheck(asio::any_io_executor executor) : signal_(executor) {
  signal_.expires_at(asio::steady_timer::time_point::max());
}

std::shared_ptr<PendingCheck> PendingCheck::start(asio::any_io_executor executor, Work work) {
  auto check = std::make_shared<PendingCheck>(executor);
  asio::co_spawn(executor, run(check, std::move(work)), asio::detached);
  return check;
}

std::shared_ptr<PendingCheck> PendingCheck::start_mail_from(
    asio::any_io_executor executor, dns::Resolver& resolver, asio::ip::address ip,
    std::string mail_from, std::string helo, std::string receiver, Limits limits) {
  return start(executor, [&resolver, ip, mail_from = std::move(mail_from),
                          helo = std::move(helo), receiver = std::move(receiver), limits]() {
    // Arguments are copied into the coroutine's own frame (never captured by reference).
    return check_mail_from(resolver, ip, mail_from, helo, receiver, limits);
  });
}

asio::awaitable<void> PendingCheck::run(std::shared_ptr<PendingCheck> self, Work work) {
  Verdict verdict;
  try {
    verdict = co_await work();
  } catch (const std::exception& e) {  // allocation failure and the like: not a verdict
    verdict.result = Result::temperror;
    verdict.problem = std::string("SPF check failed: ") + e.what();
  }
  self->finish(std::move(verdict));
}

void PendingCheck::finish(Verdict verdict) {
  verdict_ = std::move(verdict);
  signal_.cancel();
}

asio::awaitable<Verdict> PendingCheck::wait() {
  while (!verdict_) {
    boost::system::error_code ignored;
    co_await signal_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return *verdict_;
}

}  // namespace postern::spf
