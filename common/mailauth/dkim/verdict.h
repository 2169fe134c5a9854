// DKIM verification results (RFC 8601 2.7.1) and the per-signature report.
//
// How RFC 6376's outcomes map onto them here (one table, so every check agrees):
//   pass       the signature verified with a valid key
//   fail       the cryptography said no: body hash mismatch, bad signature; also rsa-sha1
//              (RFC 8301 3.1) and RSA keys under 1024 bits (RFC 8301 3.2), which must not
//              be considered valid
//   neutral    well-formed but not processable here: unknown algorithm, version, query
//              method or canonicalization
//   temperror  the key could not be fetched now (DNS timeout, SERVFAIL): retry later
//   permerror  malformed signature or key record, missing required tag, i= outside d=,
//              From not signed, no key published, revoked key (empty p=), key restrictions
//              (k=, h=, s=, t=s) not met, l= beyond the body
//   policy     verifiable in principle but refused by local policy: t= in the future beyond
//              the allowed skew, x= in the past, l= when the options refuse partial bodies
#pragma once

#include <string>

namespace postern::mailauth::dkim {

enum class Result { pass, fail, neutral, temperror, permerror, policy };

// The RFC 8601 result keyword ("pass", "permerror", ...).
const char* to_string(Result);

struct Verdict {
  Result result = Result::permerror;
  std::string reason;
};

// One DKIM-Signature's outcome, ready for an Authentication-Results dkim= clause.
struct SignatureResult {
  Result result = Result::permerror;
  std::string reason;     // why, for logs and the A-R comment (never empty)
  std::string domain;     // header.d (as written, lower-cased), "" if absent
  std::string selector;   // header.s, "" if absent
  std::string algorithm;  // header.a, "" if absent
  std::string b_prefix;   // header.b: first 8 characters of b= without FWS (RFC 6008)
  std::string identity;   // header.i (i=, defaulting to "@" d=)
  bool testing = false;   // key record t=y: the domain is testing DKIM (RFC 6376 3.6.1)
  bool partial_body = false;  // l= covers less than the whole body
};

}  // namespace postern::mailauth::dkim
