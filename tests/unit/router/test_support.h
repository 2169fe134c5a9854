// Shared helpers for the router unit tests: a temporary directory, a config with routes,
// small record builders, the core state the router's parts run on (a real RocksDB queue, a fake
// clock), and a gRPC server on loopback for the service tests.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "router/clock.h"
#include "router/counters.h"
#include "router/queue.h"
#include "router/queue_id.h"
#include "router/rocksdb_queue.h"

namespace postern::router::testing {

// Where every fake clock in these tests starts: 2023-11-14T22:13:20Z.
inline constexpr int64_t kTestEpochMs = 1'700'000'000'000;

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
                               int64_t received_ms = kTestEpochMs) {
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

// Every record in `queue`, in its iteration order (queue id order).
inline std::vector<MessageRecord> all_records(Queue& queue) {
  std::vector<MessageRecord> out;
  queue.for_each([&](const MessageRecord& m) {
    out.push_back(m);
    return true;
  });
  return out;
}

// The queue ids in `queue`, in its iteration order.
inline std::vector<std::string> queue_ids(Queue& queue) {
  std::vector<std::string> ids;
  for (const MessageRecord& m : all_records(queue)) ids.push_back(m.queue_id());
  return ids;
}

// The state the router's core parts (Intake, Scheduler, the gRPC services) are built on: a
// real RocksDB queue in a fresh directory, test_config(), a fake clock at kTestEpochMs, and
// the queue id generator of node "testnode". A test fixture derives from it and declares the
// parts under test as its own members, so they are built after (and destroyed before) this.
struct RouterCoreFixture {
  TempDir dir;
  config::Config config = test_config();
  FakeClock clock{from_unix_ms(kTestEpochMs)};
  Counters counters;
  std::unique_ptr<RocksDbQueue> queue = RocksDbQueue::open(dir.str());
  QueueIdGenerator ids{"testnode", clock};
};

// Serves `service` on 127.0.0.1 with a port the OS picks (written to `port`). Null when the
// server could not start: callers ASSERT on it.
inline std::unique_ptr<grpc::Server> serve_on_loopback(grpc::Service& service, int& port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (port == 0) return nullptr;
  return server;
}

// A plaintext channel to 127.0.0.1:`port`.
inline std::shared_ptr<grpc::Channel> loopback_channel(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

}  // namespace postern::router::testing
