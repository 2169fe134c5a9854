// DKIM verification without I/O (RFC 6376 6.1): everything but the key lookup.
//
//   prepare()  parses every DKIM-Signature of a message (up to a cap), checks what needs no
//              key (syntax, algorithm, times, l=), hashes the body once per (c=, l=) pair
//              and the header hash input per signature, and names the key to fetch;
//   conclude() takes the key lookup's DNS answer and decides the signature's result.
// verifier.h joins them over dns::Resolver. Keeping this part pure lets tests feed any key
// record and any clock, and lets the benchmark measure the CPU cost alone.
//
// SECURITY: `message` is untrusted and may be malformed anywhere; the DNS answer comes from a
// zone the sender controls. Every path yields a SignatureResult with a reason; no exceptions.
// Time is a parameter (`now`, seconds since the epoch): no clock is read here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns/resolver.h"
#include "common/mailauth/dkim/key_cache.h"
#include "common/mailauth/dkim/limits.h"
#include "common/mailauth/dkim/signature.h"
#include "common/mailauth/dkim/verdict.h"

namespace postern::mailauth::dkim {

struct VerifyOptions {
  // DKIM-Signature fields evaluated per message (the rest are counted as ignored).
  std::size_t max_signatures = kMaxSignatures;
  // Seconds of clock difference tolerated for t= (future) and x= (past).
  int64_t clock_skew = 300;
  // RFC 8301 3.2: verifiers must not accept RSA keys under 1024 bits.
  int min_rsa_bits = 1024;
  // l= lets anyone append to a signed body (RFC 6376 8.2); false makes such signatures
  // "policy" instead of verifying them.
  bool accept_body_length = true;
  // Optional, not owned (must outlive the verification): memoizes key decoding, which
  // dominates the cost of an RSA verification. nullptr: decode every time.
  KeyCache* key_cache = nullptr;
};

// One DKIM-Signature after the work that needs no DNS.
struct PreparedSignature {
  // header.d/s/a/b/i are always filled (as far as the field could be parsed); result and
  // reason are final when `decided`.
  SignatureResult result;
  bool decided = false;
  // Valid only when !decided:
  Signature signature;
  std::string key_name;          // "<s>._domainkey.<d>": the TXT record to fetch
  std::string header_digest;     // SHA-256 of the header hash input
  bool body_hash_matches = false;
};

struct PreparedMessage {
  std::vector<PreparedSignature> signatures;  // in header order (topmost first)
  std::size_t ignored = 0;                    // DKIM-Signature fields beyond max_signatures
};

PreparedMessage prepare(std::string_view message, int64_t now, const VerifyOptions& options);

// The result of `sig` given the TXT lookup of its key_name. With several TXT records the
// first one that parses as a key record is used (RFC 6376 6.1.2 leaves the choice open).
SignatureResult conclude(const PreparedSignature& sig, const dns::Answer<std::string>& key_txt,
                         const VerifyOptions& options);

}  // namespace postern::mailauth::dkim
