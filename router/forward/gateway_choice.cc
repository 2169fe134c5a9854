#include "router/forward/gateway_choice.h"

#include <algorithm>

namespace postern::router::forward {

bool delivers_itself(const config::Destination& destination, std::string_view node_name) {
  const auto& served = destination.served_by;
  if (served.empty()) return true;
  if (served.size() == 1 && served.front() == "*") return true;
  return std::find(served.begin(), served.end(), node_name) != served.end();
}

std::vector<Gateway> gateways_for(const config::Destination& destination,
                                  std::string_view node_name,
                                  const std::map<std::string, config::HostPort>& nodes) {
  std::vector<Gateway> out;
  if (delivers_itself(destination, node_name)) return out;
  for (const std::string& node : destination.served_by) {
    if (node == node_name || node == "*") continue;
    auto it = nodes.find(node);
    if (it == nodes.end()) continue;
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const Gateway& g) { return g.node == node; });
    if (!seen) out.push_back({node, it->second.to_string()});
  }
  return out;
}

std::string describe_via(const config::Destination& destination, std::string_view node_name) {
  if (delivers_itself(destination, node_name)) return "direct";
  std::string out = "forward to ";
  bool first = true;
  for (const std::string& node : destination.served_by) {
    if (!first) out += ", ";
    out += node;
    first = false;
  }
  return out;
}

}  // namespace postern::router::forward
