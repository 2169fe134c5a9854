// Internal to the etcd backend (etcd_store.cc, etcd_watch.cc): endpoint checks, the
// process-lifetime gRPC channels, and how a gRPC status reads in our errors.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keystore/etcd_store.h"
#include "keystore/result.h"

namespace postern::keystore::etcd_client {

inline constexpr std::size_t kMaxEndpoints = 16;

// The options with endpoints normalized to "host:port" ("http://" dropped), or
// invalid_argument naming what is wrong (no endpoints, "https://" without options.tls,
// a missing or bad port, a bad prefix, a call timeout outside 100 ms..60 s).
Result<EtcdOptions> normalize(EtcdOptions options);

// The channel to `endpoint` ("host:port"), created on first use and never destroyed (see
// etcd_store.h). TLS with `tls` (the member's certificate must chain to tls->ca and name the
// endpoint's host), else plaintext; fast reconnects; keepalive; 16 MiB receive limit.
std::shared_ptr<grpc::Channel> channel(const std::string& endpoint,
                                      const std::optional<EtcdTlsPem>& tls);

// Drives `channel` towards a connection and waits until it is READY, or until `deadline`;
// a channel in TRANSIENT_FAILURE gets at most kFailureProbe of that wait. Returns the state
// then; the caller makes its call either way (a failed channel fails it at once, with the
// reason). Why: with the sync API nothing polls the connection attempts gRPC makes in the
// background after a failure (the channel stays in TRANSIENT_FAILURE meanwhile), so a
// member that came back would only be noticed by gRPC's 5 s backup poller, and such
// attempts time out unpolled. Waiting polls them: a member that is back is READY within
// milliseconds; one still down costs at most kFailureProbe per attempt.
inline constexpr std::chrono::milliseconds kFailureProbe{300};
grpc_connectivity_state await_connection(grpc::Channel& channel,
                                         std::chrono::system_clock::time_point deadline);

// "unavailable: failed to connect to all addresses" (lowercase code, then etcd's message).
std::string describe(const grpc::Status& status);

// True for statuses worth trying on another endpoint: the member is down, unreachable,
// without a leader, or did not answer in time.
bool should_fail_over(const grpc::Status& status);

// "127.0.0.1:2379,127.0.0.1:22379"
std::string join(const std::vector<std::string>& endpoints);

}  // namespace postern::keystore::etcd_client
