#include "edge/inbound/iprev.h"

namespace postern::edge::inbound {
namespace asio = boost::asio;

asio::awaitable<Iprev> check_iprev(dns::Resolver& resolver, asio::ip::address ip) {
  if (ip.is_v6() && ip.to_v6().is_v4_mapped())
    ip = asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
  Iprev out;
  const dns::Answer<std::string> names = co_await resolver.ptr(ip);
  switch (names.status) {
    case dns::Status::ok: break;
    case dns::Status::nxdomain:
    case dns::Status::nodata:
      out.result = Iprev::Result::fail;
      out.reason = "no PTR record";
      co_return out;
    case dns::Status::temperror:
      out.result = Iprev::Result::temperror;
      out.reason = "PTR lookup: " + names.error;
      co_return out;
    case dns::Status::permerror:
      out.result = Iprev::Result::permerror;
      out.reason = "PTR lookup: " + names.error;
      co_return out;
  }
  bool temporary = false;
  int tried = 0;
  for (const std::string& name : names.records) {
    if (tried++ >= kMaxIprevNames) break;
    // Not a ?: over two co_awaits: GCC 12 destroys the result of such an expression twice.
    dns::Answer<asio::ip::address> forward;
    if (ip.is_v4()) forward = co_await resolver.a(name);
    else forward = co_await resolver.aaaa(name);
    if (forward.status == dns::Status::temperror) temporary = true;
    for (const auto& a : forward.records) {
      if (a == ip) {
        out.result = Iprev::Result::pass;
        out.name = name;
        out.reason = name + " confirms " + ip.to_string();
        co_return out;
      }
    }
  }
  out.result = temporary ? Iprev::Result::temperror : Iprev::Result::fail;
  out.reason = temporary ? "forward lookup failed temporarily"
                         : "no PTR name resolves back to " + ip.to_string();
  co_return out;
}

}  // namespace postern::edge::inbound
