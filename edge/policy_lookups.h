// The I/O half of the inbound controls: DNS lookups the pure policy (edge/policy/) asks for,
// over one io_context's dns::Resolver. Shared by the connection adapter and `posternctl
// explain` (services/ctl_explain.h), so both judge from the same answers.
//
// Contract: every lookup completes (bounded by the resolver's timeout and tries) and never
// throws for any DNS answer; failures become the statuses of policy/client.h and
// policy/sender.h. The resolver is used from the awaiting coroutine's executor only.
//
// SECURITY: answers come from the network (and TXT reasons from whoever runs a list): they
// are matched, or sanitized (common/dnsbl/reply_text.h) before they reach a reply or a log.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/dns/resolver.h"
#include "edge/inbound/verdicts.h"
#include "edge/policy/client.h"
#include "edge/policy/sender.h"

namespace postern::edge {

// The client's PTR and its forward confirmation (inbound/iprev.h), as policy::Ptr.
boost::asio::awaitable<policy::Ptr> lookup_ptr(dns::Resolver& resolver, std::string ip);
policy::Ptr to_ptr(const inbound::Iprev& iprev);

// Every zone at once (common/dnsbl/lookup.h); answers in the order of `zones`. A zone whose
// codes do not compile (cannot happen after config validation) is an error answer.
boost::asio::awaitable<std::vector<policy::ZoneAnswer>> lookup_zones(
    dns::Resolver& resolver, std::string ip, std::vector<config::DnsblZone> zones);

// MX, then A and AAAA when there is no MX (RFC 5321 5.1); a single MX "." is a null MX.
boost::asio::awaitable<policy::SenderDomain> lookup_sender_domain(dns::Resolver& resolver,
                                                                  std::string domain);

}  // namespace postern::edge
