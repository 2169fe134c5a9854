#include "common/mailauth/spf/address.h"

#include <arpa/inet.h>

#include <cstring>

namespace postern::spf {

std::optional<Ip> parse_ip4(std::string_view text) {
  Ip ip;
  std::size_t pos = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    const std::size_t start = pos;
    int value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3)
      value = value * 10 + (text[pos++] - '0');
    const std::size_t digits = pos - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return std::nullopt;
    ip.bytes[octet] = static_cast<uint8_t>(value);
  }
  if (pos != text.size()) return std::nullopt;
  return ip;
}

std::optional<Ip> parse_ip6(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buffer[46];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  Ip ip;
  ip.v6 = true;
  if (inet_pton(AF_INET6, buffer, ip.bytes.data()) != 1) return std::nullopt;
  return normalise(ip);
}

std::optional<Ip> parse_ip(std::string_view text) {
  if (auto v4 = parse_ip4(text)) return v4;
  return parse_ip6(text);
}

Ip normalise(const Ip& ip) {
  if (!ip.v6) return ip;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(ip.bytes.data(), kMapped, 12) != 0) return ip;
  Ip v4;
  std::memcpy(v4.bytes.data(), ip.bytes.data() + 12, 4);
  return v4;
}

bool in_network(const Ip& ip, const Ip& network, int prefix) {
  if (ip.v6 != network.v6) return false;
  const int bits = ip.v6 ? 128 : 32;
  if (prefix < 0 || prefix > bits) return false;
  int full = prefix / 8;
  if (std::memcmp(ip.bytes.data(), network.bytes.data(), static_cast<std::size_t>(full)) != 0)
    return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (ip.bytes[full] & mask) == (network.bytes[full] & mask);
}

std::string to_text(const Ip& ip) {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(ip.v6 ? AF_INET6 : AF_INET, ip.bytes.data(), buffer, sizeof buffer);
  return buffer;
}

std::string to_dotted(const Ip& ip) {
  if (!ip.v6) return to_text(ip);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(63);
  for (uint8_t byte : ip.bytes) {
    if (!out.empty()) out += '.';
    out += kHex[byte >> 4];
    out += '.';
    out += kHex[byte & 0xf];
  }
  return out;
}

}  // namespace postern::spf
