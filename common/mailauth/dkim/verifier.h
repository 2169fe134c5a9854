// DKIM verification of a whole message over dns::Resolver (RFC 6376 6): one result per
// DKIM-Signature (up to VerifyOptions::max_signatures), in header order.
//
// verify_message() does all hashing synchronously when called (verify.h's prepare()), so
// `message` need not outlive the call; only the key lookups are awaited, one TXT query per
// distinct "<s>._domainkey.<d>". `resolver` must outlive the returned awaitable. DNS
// failures become temperror/permerror per signature; nothing throws for any message or
// answer.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/dns/resolver.h"
#include "common/mailauth/dkim/verify.h"

namespace postern::mailauth::dkim {

struct Verification {
  std::vector<SignatureResult> signatures;  // empty: the message carries no DKIM-Signature
  std::size_t ignored = 0;                  // signatures beyond the cap, not evaluated
};

// `now`: seconds since the epoch (the caller's clock, so tests control time).
boost::asio::awaitable<Verification> verify_message(dns::Resolver& resolver,
                                                    std::string_view message, int64_t now,
                                                    VerifyOptions options = {});

}  // namespace postern::mailauth::dkim
