#include "common/dns/reverse_name.h"

namespace postern::dns {

std::string reverse_name(const boost::asio::ip::address& address) {
  std::string out;
  if (address.is_v4() || (address.is_v6() && address.to_v6().is_v4_mapped())) {
    const auto v4 = address.is_v4()
                        ? address.to_v4()
                        : boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped,
                                                           address.to_v6());
    const auto b = v4.to_bytes();
    for (int i = 3; i >= 0; --i) out += std::to_string(b[static_cast<std::size_t>(i)]) + ".";
    return out + "in-addr.arpa";
  }
  static constexpr char hex[] = "0123456789abcdef";
  const auto b = address.to_v6().to_bytes();
  for (int i = 15; i >= 0; --i) {
    const unsigned char byte = b[static_cast<std::size_t>(i)];
    out += hex[byte & 0xf];
    out += '.';
    out += hex[byte >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

}  // namespace postern::dns
