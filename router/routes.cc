#include "router/routes.h"

#include "common/mime/headers.h"

namespace postern::router {
namespace {

std::string_view without_trailing_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

}  // namespace

bool domain_matches(std::string_view pattern, std::string_view domain) {
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

std::optional<std::string> route_domain(const std::vector<config::Route>& routes,
                                        std::string_view domain) {
  for (const config::Route& route : routes) {
    for (const std::string& pattern : route.domains) {
      if (domain_matches(pattern, domain)) return route.to;
    }
  }
  return std::nullopt;
}

std::string domain_of(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string domain(without_trailing_dot(address.substr(at + 1)));
  for (char& c : domain) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return domain;
}

}  // namespace postern::router
