// The pure half of DMARC evaluation: identifier alignment (RFC 7489 3.1), the result, and the
// policy to apply (6.6.4, 6.3 pct; DMARCbis np and t). No DNS here: the caller supplies the
// record and the Organizational Domains it found (evaluator.h does that over DNS).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/mailauth/dmarc/inputs.h"
#include "common/mailauth/dmarc/record.h"

namespace postern::mailauth::dmarc {

// RFC 7489 11.2 / RFC 8601 dmarc results.
enum class Result { none, pass, fail, temperror, permerror };
const char* to_string(Result);

// Strict: the two names are equal. Relaxed: their Organizational Domains are equal. Names are
// compared case-insensitively, ignoring one trailing dot; an empty name never aligns.
bool aligned(std::string_view auth_domain, std::string_view auth_org,
             std::string_view from_domain, std::string_view from_org, AlignmentMode mode);

// Which tag of the record governs the From domain.
enum class PolicyScope {
  domain,        // the record was published at the From domain: p
  subdomain,     // at an ancestor (Organizational Domain, tree walk): sp, else p
  non_existent,  // at an ancestor and the From domain does not exist: np, else sp, else p
};

// The policy the domain owner asks for, before sampling.
Policy requested_policy(const Record& record, PolicyScope scope);

// Returns a number in [0, 100) for pct sampling. Injected so tests are deterministic.
using PercentSource = std::function<int()>;
// A uniformly distributed draw from a per-thread generator seeded from std::random_device.
int random_percent();

struct Disposition {
  Policy requested = Policy::none;  // from the record (p/sp/np)
  Policy apply = Policy::none;      // what the receiver should do
  bool sampled_out = false;         // pct excluded this message: one step milder (6.6.4)
  bool testing = false;             // t=y: one step milder (DMARCbis)
  std::string reason;               // for logs and Authentication-Results comments
};

// The policy to apply for a DMARC `result` (pass and non-fail results apply nothing).
// On fail: requested policy; when pct < 100 a draw >= pct samples the message out, and t=y
// likewise: reject becomes quarantine, quarantine becomes none (once, even when both hold). `percent` is only called when
// pct is strictly between 0 and 100.
Disposition decide(Result result, const Record& record, PolicyScope scope,
                   const PercentSource& percent);

}  // namespace postern::mailauth::dmarc
