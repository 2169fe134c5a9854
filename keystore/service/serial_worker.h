// SerialWorker: one thread that runs posted tasks one at a time, in order.
//
// The KeyManagement service runs its calls here rather than on gRPC's callback threads:
// admin calls are slow (Argon2id takes about a second and 256 MiB, RSA-4096 generation
// seconds), and they must not hold up the signing oracle, which runs on those threads. One
// thread also means two admin calls never race each other (create then list, in order).
//
// The destructor runs the tasks already posted, then joins. post() after destruction has
// begun is a programming error.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace postern::keystore::service {

class SerialWorker {
 public:
  SerialWorker();
  ~SerialWorker();
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  void post(std::function<void()> task);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace postern::keystore::service
