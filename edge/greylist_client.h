// The edge's greylisting client: asks a router (postern.v1.Greylist/Check) whether a
// (client, sender, recipient) triplet passes now. Greylisting state lives in the routers so a
// retry that lands on another edge passes too.
//
// Contract:
//  - check() completes on the awaiting coroutine's executor (gRPC's callback is posted back
//    to it) and never throws for network or router failures: they are an outcome with
//    action == error and a reason for the log. Deciding what an error means is the caller's
//    job (fail open: treat as pass, and log it).
//  - Router choice: the triplet (client network per the prefixes, lowercased sender and
//    recipient) is hashed with rendezvous hashing over cluster.routers, so every edge asks
//    the same router about the same triplet whatever the order of its list. The next router
//    in that triplet's order is tried only when one is UNAVAILABLE (down or unreachable);
//    any other failure ends the check with an error. Each call has a deadline (default 2 s).
//  - Channels come from `channels` (grpc_tls/channels.h): process-lifetime, one per router
//    address, shared with the submitter; mTLS when cluster.tls is set.
//  - The routers need no greylist config: the parameters travel with each request.
//  - Thread-safe: one client may serve every io_context of the edge.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/grpc_tls/channels.h"

namespace postern::edge {

struct GreylistQuery {
  std::string client_address;  // the client's IP as text (the router reduces it)
  std::string sender;          // reverse-path without brackets; "" = null sender
  std::string recipient;       // one forward-path without brackets
};

struct GreylistParams {
  std::chrono::seconds delay{300};
  std::chrono::seconds retry_window{std::chrono::hours(48)};  // from the first attempt
  std::chrono::seconds expiry{std::chrono::hours(24 * 35)};   // since the last pass
  int ipv4_prefix = 24;
  int ipv6_prefix = 64;
};

struct GreylistOutcome {
  enum class Action { pass, defer, error };
  Action action = Action::error;
  std::chrono::seconds retry_after{0};  // defer: until a retry would pass
  bool passed_before = false;           // pass: the triplet was already known good
  std::string error;                    // error: which router(s) and why, for the log
};
const char* to_string(GreylistOutcome::Action);

class GreylistClient {
 public:
  virtual ~GreylistClient() = default;
  virtual boost::asio::awaitable<GreylistOutcome> check(GreylistQuery query,
                                                        GreylistParams params) = 0;
};

class GrpcGreylistClient final : public GreylistClient {
 public:
  explicit GrpcGreylistClient(const std::vector<config::HostPort>& routers,
                              std::chrono::milliseconds deadline = std::chrono::seconds(2),
                              const grpc_tls::ClusterChannels& channels =
                                  grpc_tls::ClusterChannels());
  ~GrpcGreylistClient() override;

  boost::asio::awaitable<GreylistOutcome> check(GreylistQuery query,
                                                GreylistParams params) override;

  // The order in which routers are asked about this query (indices into `routers`): pure,
  // exposed for tests.
  std::vector<std::size_t> router_order(const GreylistQuery& query,
                                        const GreylistParams& params) const;

 private:
  struct Target;
  std::vector<std::unique_ptr<Target>> targets_;
  std::chrono::milliseconds deadline_;
};

}  // namespace postern::edge
