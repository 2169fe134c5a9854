#include "common/mailauth/spf/domain.h"

namespace postern::spf {
namespace {

constexpr std::size_t kMaxName = 253;
constexpr std::size_t kMaxLabel = 63;

std::string_view without_trailing_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Labels 1..63 octets, at least `min_labels` of them, no NUL.
bool labels_ok(std::string_view name, int min_labels) {
  if (name.empty() || name.size() > kMaxName) return false;
  int labels = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = name.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? name.size() : dot;
    const std::size_t length = end - start;
    if (length == 0 || length > kMaxLabel) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (name.find('\0') != std::string_view::npos) return false;
  return labels >= min_labels;
}

}  // namespace

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

bool is_checkable_domain(std::string_view domain) {
  if (domain.empty() || domain.front() == '[') return false;
  for (char c : domain)
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) return false;
  return labels_ok(without_trailing_dot(domain), 2);
}

std::optional<std::string> to_query_name(std::string_view expanded) {
  std::string_view name = without_trailing_dot(expanded);
  while (name.size() > kMaxName) {
    const std::size_t dot = name.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    name.remove_prefix(dot + 1);
  }
  if (!labels_ok(name, 1)) return std::nullopt;
  return std::string(name);
}

bool is_within(std::string_view name, std::string_view domain) {
  name = without_trailing_dot(name);
  domain = without_trailing_dot(domain);
  if (domain.empty() || name.size() < domain.size()) return false;
  const std::size_t offset = name.size() - domain.size();
  for (std::size_t i = 0; i < domain.size(); ++i)
    if (lower(name[offset + i]) != lower(domain[i])) return false;
  return offset == 0 || name[offset - 1] == '.';
}

}  // namespace postern::spf
