#include "edge/policy_lookups.h"

#include <boost/asio/ip/address.hpp>

#include "common/dnsbl/codes.h"
#include "common/dnsbl/lookup.h"
#include "common/dnsbl/reply_text.h"
#include "edge/inbound/iprev.h"

namespace postern::edge {
namespace asio = boost::asio;

policy::Ptr to_ptr(const inbound::Iprev& iprev) {
  policy::Ptr p;
  switch (iprev.result) {
    case inbound::Iprev::Result::pass:
      p.status = policy::Ptr::Status::confirmed;
      p.name = iprev.name;
      for (char& c : p.name) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      if (!p.name.empty() && p.name.back() == '.') p.name.pop_back();
      break;
    case inbound::Iprev::Result::fail:
      // check_iprev() says "no PTR record" exactly when the PTR lookup found none.
      p.status = iprev.reason == "no PTR record" ? policy::Ptr::Status::none
                                                 : policy::Ptr::Status::unconfirmed;
      break;
    case inbound::Iprev::Result::temperror:
      p.status = policy::Ptr::Status::temperror;
      break;
    case inbound::Iprev::Result::permerror:
      p.status = policy::Ptr::Status::unconfirmed;
      break;
  }
  return p;
}

asio::awaitable<policy::Ptr> lookup_ptr(dns::Resolver& resolver, std::string ip) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(ip, ec);
  if (ec) co_return policy::Ptr{policy::Ptr::Status::unconfirmed, {}};
  const inbound::Iprev iprev = co_await inbound::check_iprev(resolver, address);
  co_return to_ptr(iprev);
}

asio::awaitable<std::vector<policy::ZoneAnswer>> lookup_zones(
    dns::Resolver& resolver, std::string ip, std::vector<config::DnsblZone> zones) {
  std::vector<policy::ZoneAnswer> out(zones.size());
  std::vector<dnsbl::Zone> query;
  std::vector<std::size_t> index;  // query[i] answers out[index[i]]
  for (std::size_t i = 0; i < zones.size(); ++i) {
    out[i].zone = zones[i].zone;
    dnsbl::CodeSetParse codes = dnsbl::parse_codes(zones[i].codes);
    if (!codes.codes) {
      out[i].outcome = policy::ZoneAnswer::Outcome::error;
      out[i].detail = "bad codes: " + codes.error;
      continue;
    }
    dnsbl::Zone z;
    z.name = zones[i].zone;
    z.codes = std::move(*codes.codes);
    query.push_back(std::move(z));
    index.push_back(i);
  }
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(ip, ec);
  if (ec) {
    for (auto& o : out) {
      o.outcome = policy::ZoneAnswer::Outcome::error;
      o.detail = "client address not queryable";
    }
    co_return out;
  }
  std::vector<dnsbl::ZoneResult> results;
  if (!query.empty()) results = co_await dnsbl::lookup(resolver, address, std::move(query));
  for (std::size_t i = 0; i < results.size() && i < index.size(); ++i) {
    policy::ZoneAnswer& o = out[index[i]];
    const dnsbl::ZoneResult& r = results[i];
    for (const auto& c : r.codes) o.codes += (o.codes.empty() ? "" : ",") + c.to_string();
    switch (r.outcome) {
      case dnsbl::Outcome::listed:
        o.outcome = policy::ZoneAnswer::Outcome::listed;
        o.detail = dnsbl::sanitize(r.txt, 200);
        break;
      case dnsbl::Outcome::not_listed:
        o.outcome = policy::ZoneAnswer::Outcome::not_listed;
        break;
      case dnsbl::Outcome::error:
        o.outcome = policy::ZoneAnswer::Outcome::error;
        o.detail = dnsbl::sanitize(r.error, 200);
        break;
    }
  }
  co_return out;
}

asio::awaitable<policy::SenderDomain> lookup_sender_domain(dns::Resolver& resolver,
                                                           std::string domain) {
  using Status = policy::SenderDomain::Status;
  policy::SenderDomain out;
  const dns::Answer<dns::MxRecord> mx = co_await resolver.mx(domain);
  if (mx.status == dns::Status::ok && !mx.records.empty()) {
    if (mx.records.size() == 1 && mx.records.front().host.empty()) {
      out.status = Status::null_mx;
      out.detail = "null MX";
    } else {
      out.status = Status::exists;
      out.detail = "MX " + mx.records.front().host;
    }
    co_return out;
  }
  if (mx.status == dns::Status::temperror) {
    out.status = Status::temperror;
    out.detail = "MX lookup: " + mx.error;
    co_return out;
  }
  if (mx.status == dns::Status::nxdomain) {
    out.status = Status::missing;
    out.detail = "NXDOMAIN";
    co_return out;
  }
  // No MX: the domain's own address records (RFC 5321 5.1 implicit MX).
  const dns::Answer<asio::ip::address> a = co_await resolver.a(domain);
  if (a.ok() && !a.records.empty()) {
    out.status = Status::exists;
    out.detail = "A record";
    co_return out;
  }
  const dns::Answer<asio::ip::address> aaaa = co_await resolver.aaaa(domain);
  if (aaaa.ok() && !aaaa.records.empty()) {
    out.status = Status::exists;
    out.detail = "AAAA record";
    co_return out;
  }
  if (a.status == dns::Status::temperror || aaaa.status == dns::Status::temperror) {
    out.status = Status::temperror;
    out.detail = "address lookup failed temporarily";
    co_return out;
  }
  out.status = Status::missing;
  out.detail = "no MX, A or AAAA record";
  co_return out;
}

}  // namespace postern::edge
