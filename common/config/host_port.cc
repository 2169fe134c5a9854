#include "common/config/host_port.h"

#include <charconv>
#include <string>

namespace postern::config {
namespace {

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool valid_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '-' || c == '_';
}

bool valid_v6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
         c == ':' || c == '.';
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Parsed<uint16_t> parse_port(std::string_view text) {
  using R = Parsed<uint16_t>;
  if (text.empty()) return R::fail("missing port after ':'");
  for (char c : text) {
    if (c < '0' || c > '9') return R::fail("port " + quoted(text) + " is not a number");
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value < 1 || value > 65535) {
    return R::fail("port " + std::string(text) + " out of range (1-65535)");
  }
  return R::ok(static_cast<uint16_t>(value));
}

}  // namespace

std::string HostPort::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Parsed<HostPort> parse_host_port(std::string_view text, std::optional<uint16_t> default_port) {
  using R = Parsed<HostPort>;
  const std::string example = default_port ? "" : " (expected host:port, e.g. 127.0.0.1:25)";
  if (text.empty()) return R::fail("empty address" + example);

  std::string_view host;
  std::optional<std::string_view> port_text;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return R::fail("missing ']' in " + quoted(text));
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return R::fail("expected ':port' after ']' in " + quoted(text));
      port_text = rest.substr(1);
    }
    if (host.find(':') == std::string_view::npos) {
      return R::fail("brackets are for IPv6 addresses (got " + quoted(text) + ")");
    }
    for (char c : host) {
      if (!valid_v6_char(c)) return R::fail("invalid IPv6 address " + quoted(host));
    }
  } else {
    const size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return R::fail("an IPv6 address needs brackets, e.g. [::1]:25 (got " + quoted(text) + ")");
    }
    host = text.substr(0, colon);
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
    for (char c : host) {
      if (!valid_name_char(c)) return R::fail("invalid host name " + quoted(host));
    }
  }
  if (host.empty()) return R::fail("missing host in " + quoted(text));

  HostPort out;
  out.host = lower(host);
  if (port_text) {
    auto port = parse_port(*port_text);
    if (!port) return R::fail(port.error);
    out.port = *port.value;
  } else if (default_port) {
    out.port = *default_port;
  } else {
    return R::fail("missing port in " + quoted(text) + example);
  }
  return R::ok(std::move(out));
}

}  // namespace postern::config
