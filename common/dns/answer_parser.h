// Pure functions from DNS reply bytes (RFC 1035 wire format) to typed answers.
//
// Contract: never throw, never read outside `reply`; a reply that cannot be parsed yields
// permerror, a well-formed reply without records of the asked type (e.g. only a CNAME) yields
// nodata. They do not look at the RCODE: the caller maps the query status first
// (status_from_ares) and parses only successful replies. Table-tested with hand-built replies.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <span>
#include <string>

#include "common/dns/resolver.h"

namespace postern::dns {

using Bytes = std::span<const unsigned char>;

// Maps a c-ares status code (ARES_*) to a resolver status: ENOTFOUND → nxdomain,
// ENODATA → nodata, timeouts/SERVFAIL/REFUSED/connection trouble/cancellation → temperror,
// malformed replies and bad names → permerror.
Status status_from_ares(int ares_status);

// MX records in answer order; hosts without the trailing dot; the null MX "." → host "".
Answer<MxRecord> parse_mx(Bytes reply);
// A or AAAA addresses, following CNAMEs inside the reply.
Answer<boost::asio::ip::address> parse_a(Bytes reply);
Answer<boost::asio::ip::address> parse_aaaa(Bytes reply);
// One string per TXT record: its character-strings concatenated (RFC 7208 3.3).
Answer<std::string> parse_txt(Bytes reply);
// PTR targets without the trailing dot.
Answer<std::string> parse_ptr(Bytes reply);

}  // namespace postern::dns
