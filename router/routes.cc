#include "router/routes.h"

#include "common/config/route_match.h"

namespace postern::router {

std::optional<std::string> route_domain(const std::vector<config::Route>& routes,
                                        std::string_view domain) {
  if (const config::Route* route = config::find_route(routes, domain)) return route->to;
  return std::nullopt;
}

std::string domain_of(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string domain(address.substr(at + 1));
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  for (char& c : domain) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return domain;
}

}  // namespace postern::router
