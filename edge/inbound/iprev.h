// The iprev check (RFC 8601 2.7.3): the client address's PTR names, and whether one of them
// resolves back to the address (forward-confirmed reverse DNS).
//
// Contract: always completes (every query is bounded by the resolver's timeout); at most
// kMaxIprevNames PTR names are tried, in answer order, stopping at the first that confirms.
// Results: pass (a name confirms), fail (no PTR, or no name resolves to the address),
// temperror (a lookup failed temporarily and nothing confirmed), permerror (a malformed PTR
// answer, or the client address is not an IP).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include "common/dns/resolver.h"
#include "edge/inbound/verdicts.h"

namespace postern::edge::inbound {

inline constexpr int kMaxIprevNames = 10;

boost::asio::awaitable<Iprev> check_iprev(dns::Resolver& resolver, boost::asio::ip::address ip);

}  // namespace postern::edge::inbound
