// Which router delivers to a destination, and where a router that may not sends it instead
// (router.destinations.X.served_by, cluster.nodes; issue 6, Domino's designated gateway).
//
// Contract: pure functions over the config, no I/O.
//  - delivers_itself(): served_by empty, exactly ["*"], or naming this node -> deliver here.
//  - gateways_for(): the nodes to forward to, in served_by order (the failover order), each
//    with its gRPC endpoint from cluster.nodes. This node and names without an endpoint are
//    skipped (validation already refuses unknown names, so that only happens in tests).
//  - describe_via(): the admin's one-line answer to "where does it go": "direct" or
//    "forward to demeter, hera".
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"

namespace postern::router::forward {

struct Gateway {
  std::string node;      // its node.name (a served_by entry)
  std::string endpoint;  // "host:port" from cluster.nodes
};

bool delivers_itself(const config::Destination& destination, std::string_view node_name);

std::vector<Gateway> gateways_for(const config::Destination& destination,
                                  std::string_view node_name,
                                  const std::map<std::string, config::HostPort>& nodes);

std::string describe_via(const config::Destination& destination, std::string_view node_name);

}  // namespace postern::router::forward
