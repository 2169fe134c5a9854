// DNSBL / DNSWL lookups of a client address in several zones, concurrently, over the
// project's c-ares resolver (common/dns/resolver.h).
//
// Contract: lookup() queries the A record of query_name(client, zone) in every zone at once
// and completes when all have answered or failed; results come back in the order of `zones`.
// Per zone:
//   listed      an A answer matched the zone's codes; then, when want_txt, the TXT record of
//               the same name is fetched for the reason text (sanitized, see reply_text.h; a
//               failed TXT lookup leaves txt empty and the result listed)
//   not_listed  NXDOMAIN, NODATA, or A answers none of which match the codes
//   error       timeout / SERVFAIL / network (temperror), a malformed answer (permerror), a
//               refusal code (the list refuses our resolver: see codes.h), an answer outside
//               127.0.0.0/8, or a client address that cannot be queried
// Whether "listed" blocks, whitelists or scores is the caller's decision, as is what an error
// means (fail open is usual for a DNSBL). Every lookup is bounded by the resolver's timeout
// and tries, so lookup() never hangs. The resolver is used from the awaiting coroutine's
// executor only (it is not thread-safe) and must outlive the call.
//
// SECURITY: answers come from the network; they are never used as anything but addresses to
// match and text to sanitize.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <string>
#include <vector>

#include "common/dns/resolver.h"
#include "common/dnsbl/codes.h"

namespace postern::dnsbl {

struct Zone {
  std::string name;                             // normalized (normalize_zone)
  CodeSet codes;                                // empty: any 127.0.0.0/8 answer
  CodeSet refusals = default_refusal_codes();   // answers that mean "list refuses us"
  bool want_txt = true;                         // fetch the TXT reason when listed
};

enum class Outcome { listed, not_listed, error };
const char* to_string(Outcome);

struct ZoneResult {
  std::string zone;
  Outcome outcome = Outcome::error;
  std::vector<boost::asio::ip::address_v4> codes;  // every A answer (listed or not)
  std::string txt;    // sanitized reason text (listed and want_txt only; may be empty)
  std::string error;  // for outcome error: what failed, for logs
};

boost::asio::awaitable<std::vector<ZoneResult>> lookup(dns::Resolver& resolver,
                                                       boost::asio::ip::address client,
                                                       std::vector<Zone> zones);

}  // namespace postern::dnsbl
