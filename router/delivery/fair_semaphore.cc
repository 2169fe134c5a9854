#include "router/delivery/fair_semaphore.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace postern::router::delivery {

namespace asio = boost::asio;

FairSemaphore::Permit& FairSemaphore::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    reset();
    owner_ = other.owner_;
    other.owner_ = nullptr;
  }
  return *this;
}

void FairSemaphore::Permit::reset() {
  if (owner_ != nullptr) owner_->release();
  owner_ = nullptr;
}

FairSemaphore::FairSemaphore(asio::any_io_executor executor, std::size_t permits)
    : executor_(std::move(executor)), available_(permits == 0 ? 1 : permits) {}

asio::awaitable<FairSemaphore::Permit> FairSemaphore::acquire() {
  if (available_ > 0 && waiters_.empty()) {
    --available_;
    co_return Permit(this);
  }
  // Wait on a timer that never expires by itself; release() cancels it to hand us the permit.
  auto timer = std::make_shared<asio::steady_timer>(executor_,
                                                    asio::steady_timer::time_point::max());
  waiters_.push_back(timer);
  co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  co_return Permit(this);
}

void FairSemaphore::release() {
  if (waiters_.empty()) {
    ++available_;
    return;
  }
  auto next = std::move(waiters_.front());
  waiters_.pop_front();
  next->cancel();  // the permit passes to it without touching available_
}

}  // namespace postern::router::delivery
