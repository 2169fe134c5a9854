// Active health checking of the routers an edge submits to: every `interval`, one
// grpc.health.v1.Health/Check for service "postern.v1.Router" per router, in parallel, on
// the same channels the submissions use (so it also keeps them connected).
//
// Contract:
//  - The first round starts at construction; then one round per interval. A router whose
//    previous check has not finished is skipped in that round (each check's deadline is the
//    interval, at most 2 s).
//  - Each answer is reported as a RouterState: SERVING -> serving; NOT_SERVING, UNKNOWN or a
//    NOT_FOUND service -> not_serving (a draining router sets NOT_SERVING); a server without
//    the health service (UNIMPLEMENTED) -> unknown (still used); anything else (refused
//    connection, TLS failure, deadline) -> unreachable.
//  - `report` runs on a gRPC thread, never concurrently with itself for one watch, and never
//    after the destructor returned (the destructor waits for a running report, and later
//    answers are dropped).
#pragma once

#include <grpcpp/channel.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "edge/router_health.h"

namespace postern::edge {

class HealthWatch {
 public:
  using Report = std::function<void(std::size_t index, RouterState state)>;

  HealthWatch(std::vector<std::shared_ptr<grpc::Channel>> channels,
              std::chrono::milliseconds interval, Report report);
  ~HealthWatch();
  HealthWatch(const HealthWatch&) = delete;
  HealthWatch& operator=(const HealthWatch&) = delete;

  static constexpr const char* kService = "postern.v1.Router";

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the checks in flight
};

}  // namespace postern::edge
