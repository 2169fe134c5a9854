#include "common/config/names.h"

namespace postern::config {
namespace {

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool valid_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

Parsed<std::string> normalize_domain(std::string_view text, bool allow_wildcard) {
  using R = Parsed<std::string>;
  std::string domain(text);
  for (char& c : domain) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (domain.empty()) return R::fail("empty domain");
  if (allow_wildcard && domain == "*") return R::ok(domain);

  std::string_view rest = domain;
  if (allow_wildcard && rest.starts_with("*.")) rest.remove_prefix(2);
  if (rest.size() > 253) return R::fail("domain " + quoted(text) + " is longer than 253 octets");
  size_t label_start = 0;
  for (size_t i = 0; i <= rest.size(); ++i) {
    if (i == rest.size() || rest[i] == '.') {
      const size_t len = i - label_start;
      if (len == 0) return R::fail("empty label in domain " + quoted(text));
      if (len > 63) return R::fail("label longer than 63 octets in domain " + quoted(text));
      label_start = i + 1;
      continue;
    }
    const char c = rest[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      return R::fail("write internationalized domain " + quoted(text) +
                     " in its A-label form (xn--...)");
    }
    if (!valid_label_char(c)) {
      return R::fail(std::string("invalid character '") + c + "' in domain " + quoted(text) +
                     (allow_wildcard ? " (wildcards: \"*\" or \"*.example.com\")" : ""));
    }
  }
  return R::ok(domain);
}

Parsed<std::string> normalize_address(std::string_view text) {
  using R = Parsed<std::string>;
  const size_t at = text.rfind('@');
  if (at == std::string_view::npos || at == 0) {
    return R::fail("expected an address local@domain (got " + quoted(text) + ")");
  }
  const std::string_view local = text.substr(0, at);
  for (char c : local) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return R::fail("space or control character in address " + quoted(text));
    }
  }
  auto domain = normalize_domain(text.substr(at + 1));
  if (!domain) return R::fail(domain.error);
  return R::ok(std::string(local) + "@" + *domain.value);
}

bool looks_like_argon2id_hash(std::string_view text) {
  // "$argon2id$" + at least the version, parameter, salt and hash fields.
  if (!text.starts_with("$argon2id$")) return false;
  size_t dollars = 0;
  for (char c : text) dollars += c == '$' ? 1 : 0;
  return dollars >= 5;
}

}  // namespace postern::config
