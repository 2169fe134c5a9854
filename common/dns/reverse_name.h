// The reverse-lookup name of an address (RFC 1035 3.5, RFC 3596 2.5): pure.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>

namespace postern::dns {

// "1.2.0.192.in-addr.arpa" for 192.0.2.1; nibble form under ip6.arpa for IPv6.
// An IPv4-mapped IPv6 address is reversed as its IPv4 address.
std::string reverse_name(const boost::asio::ip::address& address);

}  // namespace postern::dns
