// The posternctl commands: one gRPC call each, output on stdout, errors on stderr.
//
// Contract: each returns the process exit code, 0 on success, 1 on any failure, with a message
// that says what to do: UNAVAILABLE names the server, UNAUTHENTICATED names where the token
// came from, NOT_FOUND names the queue id. Every call has a deadline, so a hung router cannot
// hang an operator's shell.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "services/ctl_target.h"

namespace postern::services {

struct CtlConnection {
  std::shared_ptr<grpc::Channel> channel;
  std::string server;
  AdminToken token;  // empty value for commands that need none (health)
  std::chrono::seconds timeout{10};
};

int queue_list(const CtlConnection& c, uint32_t limit);
int queue_show(const CtlConnection& c, const std::string& queue_id);
int queue_retry(const CtlConnection& c, const std::string& queue_id);
int queue_delete(const CtlConnection& c, const std::string& queue_id);

// grpc.health.v1.Health/Check; prints SERVING / NOT_SERVING / ...; 0 only for SERVING.
int health(const CtlConnection& c, const std::string& service);

// The operator-facing reason for a failed call (pure; exposed for tests).
std::string describe_rpc_error(const grpc::Status& status, const CtlConnection& c,
                               const std::string& queue_id);

}  // namespace postern::services
