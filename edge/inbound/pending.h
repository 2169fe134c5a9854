// A value computed by a coroutine started now and awaited later (the iprev check started at
// connect, awaited at end of DATA). The same contract as spf::PendingCheck, for any T:
// start() spawns `work` on `executor` and returns at once; wait() may be awaited any number of
// times by coroutines on that executor; dropping every handle does not cancel the work (it
// runs to completion, bounded by the resolver's timeouts, and frees itself). `work` must not
// throw (an exception becomes `fallback`).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>

namespace postern::edge::inbound {

template <class T>
class Pending {
 public:
  using Work = std::function<boost::asio::awaitable<T>()>;

  static std::shared_ptr<Pending> start(boost::asio::any_io_executor executor, Work work,
                                        T fallback) {
    auto p = std::make_shared<Pending>(executor);
    boost::asio::co_spawn(executor, run(p, std::move(work), std::move(fallback)),
                          boost::asio::detached);
    return p;
  }

  explicit Pending(boost::asio::any_io_executor executor) : signal_(executor) {
    signal_.expires_at(boost::asio::steady_timer::time_point::max());
  }

  bool ready() const { return value_.has_value(); }

  boost::asio::awaitable<T> wait() {
    while (!value_) {
      boost::system::error_code ignored;
      co_await signal_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    }
    co_return *value_;
  }

 private:
  // Parameters, not lambda captures: the coroutine frame owns them (GCC 12 can double-free a
  // by-value capture of a coroutine lambda passed to co_spawn).
  static boost::asio::awaitable<void> run(std::shared_ptr<Pending> self, Work work, T fallback) {
    try {
      self->value_ = co_await work();
    } catch (...) {
      self->value_ = std::move(fallback);
    }
    self->signal_.cancel();
  }

  boost::asio::steady_timer signal_;
  std::optional<T> value_;
};

}  // namespace postern::edge::inbound
