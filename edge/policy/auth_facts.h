// Score facts from sender authentication (edge/inbound/, issue 4): a pure function of the
// verdicts of one message. Only checks that ran give facts (an unset verdict gives none).
//   SPF (MAIL FROM identity): fail -> spf_fail, softfail -> spf_softfail, none -> spf_none
//   DKIM: no signature -> dkim_none; none passed and one failed -> dkim_fail
//   DMARC: fail -> dmarc_fail
#pragma once

#include "common/config/config.h"
#include "edge/inbound/verdicts.h"
#include "edge/policy/facts.h"

namespace postern::edge::policy {

Facts auth_facts(const config::InboundScore& score, const inbound::Verdicts& verdicts);

}  // namespace postern::edge::policy
