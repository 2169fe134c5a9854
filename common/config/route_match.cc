#include "common/config/route_match.h"

#include "common/mime/headers.h"

namespace postern::config {
namespace {

std::string_view without_trailing_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

}  // namespace

bool route_matches(std::string_view pattern, std::string_view domain) {
  pattern = without_trailing_dot(pattern);
  domain = without_trailing_dot(domain);
  if (pattern == "*") return true;
  if (pattern.starts_with("*.")) {
    const std::string_view suffix = pattern.substr(1);  // ".example.org"
    return domain.size() > suffix.size() &&
           mime::iequals(domain.substr(domain.size() - suffix.size()), suffix);
  }
  return !domain.empty() && mime::iequals(pattern, domain);
}

const Route* find_route(const std::vector<Route>& routes, std::string_view domain) {
  for (const Route& route : routes) {
    for (const std::string& pattern : route.domains) {
      if (route_matches(pattern, domain)) return &route;
    }
  }
  return nullptr;
}

}  // namespace postern::config
