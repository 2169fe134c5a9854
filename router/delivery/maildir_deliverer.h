// Local delivery into maildirs: one per recipient, <root>/<recipient lower-cased>/{tmp,new,cur}.
//
// Contract (router/delivery.h): one Outcome per recipient. A message is delivered only once
// it is durable: written to tmp/, fsync'ed, renamed into new/ under a unique name, and new/
// fsync'ed. I/O errors are temporary (451 4.3.0); a recipient that cannot name a directory
// is permanent (550 5.1.3). The blocking file work runs on a private one-thread pool, never
// on the delivery executor, so a slow disk cannot stall SMTP deliveries.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <string>

#include "router/delivery.h"

namespace postern::router::delivery {

class MaildirDeliverer final : public Deliverer {
 public:
  // `root`: the destination's path, already made absolute (relative to node.data_dir).
  MaildirDeliverer(std::string root, std::string hostname);
  ~MaildirDeliverer() override;

  boost::asio::awaitable<std::vector<Outcome>> deliver(const DeliveryJob& job) override;

  // The blocking part: deliver one copy. Public for tests.
  Outcome deliver_one(const std::string& sender, const std::string& recipient,
                      const std::string& message);

 private:
  boost::asio::awaitable<std::vector<Outcome>> deliver_all(
      std::string sender, std::vector<std::string> recipients,
      std::shared_ptr<const std::string> message);

  std::string root_;
  std::string hostname_;
  uint64_t sequence_ = 0;  // only touched on the pool's single thread
  boost::asio::thread_pool pool_{1};
};

}  // namespace postern::router::delivery
