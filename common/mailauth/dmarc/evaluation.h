// The value types of one DMARC evaluation (RFC 7489 6.6): what goes in, what comes out.
// Pure: no DNS, no Asio; evaluator.h produces them over DNS.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/mailauth/dmarc/from_domain.h"
#include "common/mailauth/dmarc/inputs.h"
#include "common/mailauth/dmarc/policy.h"
#include "common/mailauth/dmarc/record.h"

namespace postern::mailauth::dmarc {

inline constexpr std::size_t kMaxDkimInputs = 16;

struct Inputs {
  std::string from_domain;  // FromDomain::domain (normalised)
  SpfInput spf;
  std::vector<DkimInput> dkim;
};

struct Evaluation {
  Result result = Result::none;
  std::string from_domain;
  std::string org_domain;     // of the From domain; "" when not needed/known
  std::string policy_domain;  // where the record was found; "" without one
  std::optional<Record> record;
  PolicyScope scope = PolicyScope::domain;
  bool spf_aligned = false;   // SPF passed for a domain aligned with From
  bool dkim_aligned = false;  // some signature passed for a domain aligned with From
  std::string dkim_aligned_domain;  // d= of the first such signature
  Disposition disposition;          // apply == none unless result == fail
  std::string reason;               // one line for logs and A-R comments
  int dns_lookups = 0;              // queries sent
};

// What DMARC reports when the From field does not give one domain (RFC 7489 6.6.1):
// no_address and not_a_domain -> none; the other failures -> permerror.
Evaluation evaluation_for_from(const FromDomain& from);

}  // namespace postern::mailauth::dmarc
