#include "edge/policy/host_list.h"

namespace postern::edge::policy {

namespace {

bool name_matches(std::string_view pattern, std::string_view name) {
  if (name.empty()) return false;
  if (pattern == "*") return true;
  if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
    const std::string_view suffix = pattern.substr(1);  // ".example"
    return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  }
  return pattern == name;
}

}  // namespace

bool matches(const config::HostList& hosts, std::string_view ip, std::string_view verified_name) {
  if (config::any_contains(hosts.networks, ip)) return true;
  for (const auto& n : hosts.names) {
    if (name_matches(n, verified_name)) return true;
  }
  return false;
}

bool domain_listed(const std::vector<std::string>& domains, std::string_view domain) {
  for (const auto& d : domains) {
    if (name_matches(d, domain)) return true;
  }
  return false;
}

}  // namespace postern::edge::policy
