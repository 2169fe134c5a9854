#include "common/mailauth/dmarc/evaluation.h"

namespace postern::mailauth::dmarc {

Evaluation evaluation_for_from(const FromDomain& from) {
  Evaluation ev;
  ev.from_domain = from.domain;
  if (from.ok()) return ev;
  const bool nothing_to_check =
      from.status == FromStatus::no_address || from.status == FromStatus::not_a_domain;
  ev.result = nothing_to_check ? Result::none : Result::permerror;
  ev.reason = to_string(from.status);
  ev.disposition.reason = ev.reason;
  return ev;
}

}  // namespace postern::mailauth::dmarc
