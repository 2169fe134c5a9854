#include "edge/health_watch.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"

namespace postern::edge {
namespace {

using grpc::health::v1::HealthCheckResponse;

constexpr std::chrono::milliseconds kMaxCheckDeadline{2000};

RouterState state_of(const grpc::Status& status, const HealthCheckResponse& reply) {
  if (status.ok()) {
    return reply.status() == HealthCheckResponse::SERVING ? RouterState::serving
                                                          : RouterState::not_serving;
  }
  switch (status.error_code()) {
    case grpc::StatusCode::NOT_FOUND:
      return RouterState::not_serving;
    case grpc::StatusCode::UNIMPLEMENTED:
      return RouterState::unknown;
    default:
      return RouterState::unreachable;
  }
}

}  // namespace

struct HealthWatch::State {
  struct Target {
    std::unique_ptr<grpc::health::v1::Health::Stub> stub;
    bool in_flight = false;
  };
  std::mutex mutex;  // guards everything below; held while `report` runs
  std::condition_variable wake;
  bool stopped = false;
  std::vector<Target> targets;
  std::chrono::milliseconds interval;
  Report report;
  std::thread thread;

  // One round: a Check to every router whose previous one has finished.
  static void round(const std::shared_ptr<State>& self) {
    const auto deadline = std::min(self->interval, kMaxCheckDeadline);
    for (std::size_t i = 0; i < self->targets.size(); ++i) {
      {
        std::lock_guard lock(self->mutex);
        if (self->stopped || self->targets[i].in_flight) continue;
        self->targets[i].in_flight = true;
      }
      struct Call {
        grpc::ClientContext context;
        grpc::health::v1::HealthCheckRequest request;
        HealthCheckResponse reply;
      };
      auto call = std::make_shared<Call>();
      call->request.set_service(kService);
      call->context.set_deadline(std::chrono::system_clock::now() + deadline);
      self->targets[i].stub->async()->Check(
          &call->context, &call->request, &call->reply,
          [self, call, i](grpc::Status status) {
            const RouterState state = state_of(status, call->reply);
            std::lock_guard lock(self->mutex);
            self->targets[i].in_flight = false;
            if (!self->stopped) self->report(i, state);
          });
    }
  }
};

HealthWatch::HealthWatch(std::vector<std::shared_ptr<grpc::Channel>> channels,
                         std::chrono::milliseconds interval, Report report)
    : state_(std::make_shared<State>()) {
  state_->interval = std::max(interval, std::chrono::milliseconds(1));
  state_->report = std::move(report);
  for (auto& channel : channels) {
    State::Target t;
    t.stub = grpc::health::v1::Health::NewStub(channel);
    state_->targets.push_back(std::move(t));
  }
  // The thread holds the state by a raw pointer to a shared_ptr it may copy: it is joined in
  // the destructor, so state_ outlives it.
  state_->thread = std::thread([state = state_.get(), self = &state_] {
    std::unique_lock lock(state->mutex);
    while (!state->stopped) {
      lock.unlock();
      State::round(*self);
      lock.lock();
      state->wake.wait_for(lock, state->interval, [state] { return state->stopped; });
    }
  });
}

HealthWatch::~HealthWatch() {
  {
    std::lock_guard lock(state_->mutex);  // waits for a report that is running
    state_->stopped = true;
  }
  state_->wake.notify_all();
  state_->thread.join();
}

}  // namespace postern::edge
