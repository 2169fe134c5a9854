// A counting semaphore for coroutines on one executor, first come first served.
//
// Contract: acquire() completes in request order once a permit is free; a Permit returns its
// slot on destruction, handing it directly to the longest waiter (no barging). Single
// executor, not thread-safe; the semaphore must outlive its permits and waiters.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <deque>
#include <memory>

namespace postern::router::delivery {

class FairSemaphore {
 public:
  class Permit {
   public:
    Permit() = default;
    explicit Permit(FairSemaphore* owner) : owner_(owner) {}
    Permit(Permit&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Permit& operator=(Permit&& other) noexcept;
    ~Permit() { reset(); }
    void reset();

   private:
    FairSemaphore* owner_ = nullptr;
  };

  FairSemaphore(boost::asio::any_io_executor executor, std::size_t permits);
  boost::asio::awaitable<Permit> acquire();
  std::size_t available() const { return available_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  void release();

  boost::asio::any_io_executor executor_;
  std::size_t available_;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
};

}  // namespace postern::router::delivery
