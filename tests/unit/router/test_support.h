// Shared helpers for the router unit tests: a temporary directory, a config with routes, and
// small record builders.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <string>

#include "common/config/config.h"
#include "router/queue.h"

namespace postern::router::testing {

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("postern-router-test-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// internet.hostname mx.postern.test; routes: remote.test -> "remote", sender.test ->
// "senders", *.sub.test -> "remote"; nothing else is routable.
inline config::Config test_config() {
  config::Config c;
  c.node.name = "testnode";
  c.internet.hostname = "mx.postern.test";
  c.router.routes = {{{"remote.test", "*.sub.test"}, "remote"}, {{"sender.test"}, "senders"}};
  config::Destination remote;
  remote.name = "remote";
  remote.kind = config::SmtpDestination{};
  config::Destination senders;
  senders.name = "senders";
  senders.kind = config::MaildirDestination{"maildir"};
  c.router.destinations = {{"remote", remote}, {"senders", senders}};
  c.router.retry.schedule = {std::chrono::minutes(5), std::chrono::minutes(10)};
  c.router.retry.max_age = std::chrono::hours(24);
  c.router.delivery_concurrency = 10;
  c.edge.limits.max_message_bytes = 1 << 20;
  return c;
}

inline NewMessage make_message(const std::string& id, const std::string& from,
                               const std::vector<std::string>& rcpts, std::string body,
                               int64_t received_ms = 1'700'000'000'000) {
  NewMessage m;
  m.meta.set_queue_id(id);
  m.meta.mutable_envelope()->set_mail_from(from);
  m.meta.set_received_unix_ms(received_ms);
  m.meta.set_size(body.size());
  for (const auto& r : rcpts) {
    auto* rec = m.meta.add_recipients();
    rec->set_address(r);
    rec->set_domain(r.substr(r.rfind('@') + 1));
    rec->set_destination(rec->domain() == "sender.test" ? "senders" : "remote");
  }
  m.body = std::move(body);
  return m;
}

// Enqueues and waits for the durable completion.
inline QueueStatus enqueue_sync(Queue& queue, std::vector<NewMessage> messages) {
  std::promise<QueueStatus> done;
  auto f = done.get_future();
  queue.enqueue(std::move(messages), [&done](QueueStatus s) { done.set_value(std::move(s)); });
  return f.get();
}

inline std::vector<NewMessage> one(NewMessage m) {
  std::vector<NewMessage> v;
  v.push_back(std::move(m));
  return v;
}

}  // namespace postern::router::testing
