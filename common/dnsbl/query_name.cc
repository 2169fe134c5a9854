#include "common/dnsbl/query_name.h"

#include <boost/system/error_code.hpp>

namespace postern::dnsbl {
namespace asio = boost::asio;

std::optional<std::string> query_name(const asio::ip::address& client, std::string_view zone) {
  if (zone.empty() || client.is_unspecified()) return std::nullopt;
  std::string out;
  if (client.is_v4() || client.to_v6().is_v4_mapped()) {
    const auto v4 = client.is_v4() ? client.to_v4()
                                   : asio::ip::make_address_v4(asio::ip::v4_mapped, client.to_v6());
    const auto b = v4.to_bytes();
    for (int i = 3; i >= 0; --i) out += std::to_string(b[static_cast<std::size_t>(i)]) + ".";
  } else {
    static constexpr char hex[] = "0123456789abcdef";
    const auto b = client.to_v6().to_bytes();
    out.reserve(64 + zone.size());
    for (int i = 15; i >= 0; --i) {
      const unsigned char byte = b[static_cast<std::size_t>(i)];
      out += hex[byte & 0xf];
      out += '.';
      out += hex[byte >> 4];
      out += '.';
    }
  }
  out += zone;
  return out;
}

std::optional<std::string> query_name(std::string_view client_ip, std::string_view zone) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(std::string(client_ip), ec);
  if (ec) return std::nullopt;
  return query_name(address, zone);
}

ZoneParse normalize_zone(std::string_view zone) {
  ZoneParse out;
  if (!zone.empty() && zone.back() == '.') zone.remove_suffix(1);
  if (zone.empty()) {
    out.error = "empty zone";
    return out;
  }
  if (zone.size() > kMaxZoneLength) {
    out.error = "zone longer than " + std::to_string(kMaxZoneLength) + " octets";
    return out;
  }
  std::string normalized;
  std::size_t label = 0;
  for (const char raw : zone) {
    const char c = (raw >= 'A' && raw <= 'Z') ? static_cast<char>(raw - 'A' + 'a') : raw;
    if (c == '.') {
      if (label == 0) {
        out.error = "empty label in zone";
        return out;
      }
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
      if (++label > 63) {
        out.error = "zone label longer than 63 octets";
        return out;
      }
    } else {
      out.error = "zone has a character that is not a letter, digit, '-', '_' or '.'";
      return out;
    }
    normalized += c;
  }
  if (label == 0) {
    out.error = "empty label in zone";
    return out;
  }
  out.zone = std::move(normalized);
  return out;
}

}  // namespace postern::dnsbl
