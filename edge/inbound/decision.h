// What to do with a message after sender authentication (edge.inbound actions): a pure
// function of the configuration, the plan and the verdicts.
//
// Contract, in this order (a definite answer wins over "try again"):
//   reject (550, RFC 7372 codes):
//     SPF fail/softfail with on_fail/on_softfail: reject      → 550 5.7.23 (either identity)
//     DKIM: no signature passed, one failed, on_fail: reject  → 550 5.7.20
//     DMARC fail with policy reject applied and enforce: true  → 550 5.7.1
//   defer (451, the sender keeps the message and retries):
//     SPF temperror with on_temperror: defer                   → 451 4.7.24
//     DKIM: no signature passed, a key lookup failed, defer    → 451 4.7.5
//     DMARC temperror with on_temperror: defer                 → 451 4.7.1
//   accept; quarantine is set when DMARC asks for quarantine (or for reject while enforce is
//   false) and on_quarantine is tag.
// Never accept-and-discard: every refusal is an SMTP reply.
#pragma once

#include <optional>
#include <string>

#include "common/config/config.h"
#include "common/smtp/reply.h"
#include "edge/inbound/verdicts.h"

namespace postern::edge::inbound {

struct Decision {
  enum class Kind { accept, reject, defer };
  Kind kind = Kind::accept;
  std::optional<smtp::Reply> reply;  // set for reject and defer
  std::string reason;                // for the log: which check and what it said
  std::string quarantine;            // accept only: "dmarc p=quarantine"; "" = not quarantined
};

Decision decide(const config::Inbound& inbound, const Plan& plan, const Verdicts& verdicts);

}  // namespace postern::edge::inbound
