#include "router/greylist/triplet.h"

#include <openssl/evp.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <boost/system/error_code.hpp>
#include <stdexcept>

namespace postern::router::greylist {
namespace asio = boost::asio;
namespace {

// "" when the field is acceptable.
std::string check_field(std::string_view value, const char* name) {
  if (value.size() > kMaxAddressBytes) {
    return std::string(name) + " longer than " + std::to_string(kMaxAddressBytes) + " octets";
  }
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return std::string(name) + " contains a control character";
  }
  return {};
}

std::string lower_ascii(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void append_field(std::string& out, std::string_view field) {
  const auto n = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
  out += field;
}

}  // namespace

std::string validate(const Params& p) {
  if (p.delay <= std::chrono::seconds::zero()) return "delay must be positive";
  if (p.retry_window <= p.delay) return "retry window must be longer than the delay";
  if (p.expiry <= std::chrono::seconds::zero()) return "expiry must be positive";
  if (p.delay > kMaxParamSeconds || p.retry_window > kMaxParamSeconds ||
      p.expiry > kMaxParamSeconds) {
    return "delay, retry window and expiry must each be at most 366 days";
  }
  if (p.ipv4_prefix < 1 || p.ipv4_prefix > 32) return "IPv4 prefix must be 1-32";
  if (p.ipv6_prefix < 1 || p.ipv6_prefix > 128) return "IPv6 prefix must be 1-128";
  return {};
}

TripletParse make_triplet(std::string_view client_address, std::string_view sender,
                          std::string_view recipient, int ipv4_prefix, int ipv6_prefix) {
  TripletParse out;
  if (ipv4_prefix < 1 || ipv4_prefix > 32 || ipv6_prefix < 1 || ipv6_prefix > 128) {
    out.error = "network prefix out of range";
    return out;
  }
  if (client_address.size() > 64) {
    out.error = "client address is not an IP address";
    return out;
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(std::string(client_address), ec);
  if (ec || address.is_unspecified()) {
    out.error = "client address is not an IP address";
    return out;
  }
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  if (auto why = check_field(sender, "sender"); !why.empty()) {
    out.error = std::move(why);
    return out;
  }
  if (auto why = check_field(recipient, "recipient"); !why.empty()) {
    out.error = std::move(why);
    return out;
  }
  Triplet t;
  if (address.is_v4()) {
    t.network = asio::ip::make_network_v4(address.to_v4(), static_cast<unsigned short>(ipv4_prefix))
                    .canonical()
                    .to_string();
  } else {
    t.network = asio::ip::make_network_v6(address.to_v6(), static_cast<unsigned short>(ipv6_prefix))
                    .canonical()
                    .to_string();
  }
  t.sender = lower_ascii(sender);
  t.recipient = lower_ascii(recipient);
  out.triplet = std::move(t);
  return out;
}

std::string store_key(const Triplet& t) {
  std::string input = "postern-greylist-1";
  append_field(input, t.network);
  append_field(input, t.sender);
  append_field(input, t.recipient);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr) != 1 ||
      length != 32) {
    throw std::runtime_error("greylist: SHA-256 failed");  // OpenSSL broken: not input-driven
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace postern::router::greylist
