// The gRPC server of a role (router, keystore): how every role listens, in one place.
//
// Contract: start_role_server() listens on `address` with the cluster.tls server credentials
// (credentials.h: a client certificate from the cluster CA is required when cluster.tls is
// set), caps one received message at kMaxRoleMessageBytes, refuses SO_REUSEPORT (a second
// node on the same address must fail to start, not silently share the port), registers
// `services`, and reports each of them SERVING on the standard gRPC health service (the
// edges' health checks and `posternctl health` read it; shutdown turns it NOT_SERVING).
// Throws std::runtime_error "<role>: cannot listen on <address>" when the port cannot be had.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"

namespace postern::grpc_tls {

// One gRPC message at most: a Submit/Forward chunk, a bundle of keys; peers send less.
inline constexpr int kMaxRoleMessageBytes = 16 << 20;

struct RoleService {
  grpc::Service* service;
  std::string health_name;  // e.g. "postern.v1.Router"
};

std::unique_ptr<grpc::Server> start_role_server(const config::Config& config,
                                                const std::string& role,
                                                const std::string& address,
                                                const std::vector<RoleService>& services);

}  // namespace postern::grpc_tls
