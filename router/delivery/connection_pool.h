// Idle SMTP connections kept for reuse, per nexthop key (host, address, port, TLS/AUTH mode).
//
// Contract: put() keeps a usable connection for at most `idle_timeout` (then it is closed
// with QUIT in the background) and at most `max_per_key` per key (extra ones are closed);
// take() returns the most recently used connection for the key or nullptr. The caller must
// verify a taken connection with RSET before use (the peer may have timed it out). Idle
// connections do not count against a destination's concurrency limit. Single executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/smtp/client/connection.h"

namespace postern::router::delivery {

class ConnectionPool {
 public:
  ConnectionPool(boost::asio::any_io_executor executor, std::chrono::milliseconds idle_timeout,
                 std::size_t max_per_key);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  std::unique_ptr<smtp::client::Connection> take(const std::string& key);
  void put(const std::string& key, std::unique_ptr<smtp::client::Connection> connection);
  std::size_t idle() const;

  // Sends QUIT on a connection we are done with, without making anyone wait for it.
  static void retire(boost::asio::any_io_executor executor,
                     std::unique_ptr<smtp::client::Connection> connection);

 private:
  struct Entry {
    uint64_t id;
    std::unique_ptr<smtp::client::Connection> connection;
    std::unique_ptr<boost::asio::steady_timer> expiry;
  };
  void expire(const std::string& key, uint64_t id);

  boost::asio::any_io_executor executor_;
  std::chrono::milliseconds idle_timeout_;
  std::size_t max_per_key_;
  std::map<std::string, std::vector<Entry>> idle_;
  uint64_t next_id_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace postern::router::delivery
