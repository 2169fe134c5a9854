#include "common/config/cidr.h"

#include <arpa/inet.h>

#include <cstring>

namespace postern::config {
namespace {

// The address in `text` as 4 or 16 bytes; IPv4-mapped IPv6 is folded to IPv4.
bool parse_address(std::string_view text, bool& v6, std::array<uint8_t, 16>& out) {
  if (text.empty() || text.size() > 45) return false;
  const std::string s(text);
  out.fill(0);
  if (inet_pton(AF_INET, s.c_str(), out.data()) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.data()) != 1) return false;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(out.data(), kMapped, 12) == 0) {
    std::memmove(out.data(), out.data() + 12, 4);
    std::memset(out.data() + 4, 0, 12);
    v6 = false;
    return true;
  }
  v6 = true;
  return true;
}

bool prefix_matches(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b,
                    int prefix) {
  const int whole = prefix / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<std::size_t>(whole)) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[static_cast<std::size_t>(whole)] & mask) == (b[static_cast<std::size_t>(whole)] & mask);
}

}  // namespace

std::string Cidr::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, network.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix);
}

CidrParse parse_cidr(std::string_view text) {
  CidrParse r;
  const auto slash = text.find('/');
  Cidr c;
  if (!parse_address(text.substr(0, slash), c.v6, c.network)) {
    r.error = "not an IP address or CIDR block (expected e.g. 192.0.2.0/24 or 2001:db8::/32)";
    return r;
  }
  const int max = c.v6 ? 128 : 32;
  c.prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) {
      r.error = "prefix length must be 0-" + std::to_string(max);
      return r;
    }
    int n = 0;
    for (char ch : digits) {
      if (ch < '0' || ch > '9') {
        r.error = "prefix length must be 0-" + std::to_string(max);
        return r;
      }
      n = n * 10 + (ch - '0');
    }
    if (n > max) {
      r.error = "prefix length must be 0-" + std::to_string(max);
      return r;
    }
    c.prefix = n;
  }
  std::array<uint8_t, 16> masked{};
  const auto whole = static_cast<std::size_t>(c.prefix / 8);
  for (std::size_t i = 0; i < whole; ++i) masked[i] = c.network[i];
  if (c.prefix % 8) {
    const auto i = static_cast<std::size_t>(c.prefix / 8);
    masked[i] = static_cast<uint8_t>(c.network[i] & (0xff << (8 - c.prefix % 8)));
  }
  if (masked != c.network) {
    c.network = masked;
    r.error = "host bits set below the prefix (did you mean " + c.to_string() + "?)";
    return r;
  }
  r.cidr = c;
  return r;
}

bool cidr_contains(const Cidr& block, std::string_view ip) {
  bool v6 = false;
  std::array<uint8_t, 16> address{};
  if (!parse_address(ip, v6, address) || v6 != block.v6) return false;
  return prefix_matches(address, block.network, block.prefix);
}

bool any_contains(const std::vector<Cidr>& blocks, std::string_view ip) {
  for (const Cidr& b : blocks) {
    if (cidr_contains(b, ip)) return true;
  }
  return false;
}

}  // namespace postern::config

#include "common/config/config.h"

namespace postern::config {

std::vector<Cidr> Inbound::default_trusted_networks() {
  return {*parse_cidr("127.0.0.0/8").cidr, *parse_cidr("::1/128").cidr};
}

}  // namespace postern::config
