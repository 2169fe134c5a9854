#include "router/delivery/connection_pool.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace postern::router::delivery {

namespace asio = boost::asio;
using smtp::client::Connection;

namespace {

// A parameter, not a lambda capture: the coroutine frame owns the connection until QUIT ends.
asio::awaitable<void> quit_and_close(std::shared_ptr<Connection> connection) {
  co_await connection->quit();
}

}  // namespace

ConnectionPool::ConnectionPool(asio::any_io_executor executor,
                               std::chrono::milliseconds idle_timeout, std::size_t max_per_key)
    : executor_(std::move(executor)), idle_timeout_(idle_timeout), max_per_key_(max_per_key) {}

ConnectionPool::~ConnectionPool() {
  *alive_ = false;
  // Destroying the entries cancels their timers and closes their sockets.
}

std::unique_ptr<Connection> ConnectionPool::take(const std::string& key) {
  auto it = idle_.find(key);
  if (it == idle_.end() || it->second.empty()) return nullptr;
  Entry entry = std::move(it->second.back());
  it->second.pop_back();
  if (it->second.empty()) idle_.erase(it);
  entry.expiry->cancel();
  return std::move(entry.connection);
}

void ConnectionPool::put(const std::string& key, std::unique_ptr<Connection> connection) {
  if (!connection || !connection->usable()) return;
  auto& list = idle_[key];
  if (list.size() >= max_per_key_) {
    retire(executor_, std::move(connection));
    return;
  }
  const uint64_t id = ++next_id_;
  auto timer = std::make_unique<asio::steady_timer>(executor_, idle_timeout_);
  timer->async_wait([this, alive = alive_, key, id](boost::system::error_code ec) {
    if (!ec && *alive) expire(key, id);
  });
  list.push_back(Entry{id, std::move(connection), std::move(timer)});
}

std::size_t ConnectionPool::idle() const {
  std::size_t n = 0;
  for (const auto& [key, list] : idle_) n += list.size();
  return n;
}

void ConnectionPool::expire(const std::string& key, uint64_t id) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return;
  auto& list = it->second;
  for (auto e = list.begin(); e != list.end(); ++e) {
    if (e->id != id) continue;
    auto connection = std::move(e->connection);
    list.erase(e);
    if (list.empty()) idle_.erase(it);
    retire(executor_, std::move(connection));
    return;
  }
}

void ConnectionPool::retire(asio::any_io_executor executor, std::unique_ptr<Connection> connection) {
  if (!connection) return;
  asio::co_spawn(executor, quit_and_close(std::shared_ptr<Connection>(std::move(connection))),
                 asio::detached);
}

}  // namespace postern::router::delivery
