// Which sender-authentication checks apply to a client (edge.inbound): a pure function.
//
// Contract: authenticated submissions and clients in trusted_networks get no checks at all;
// a client in a check's skip_hosts is not checked by that one (but DMARC still has SPF and
// DKIM evaluated for its own use, see Plan). iprev runs whenever any other check does.
#pragma once

#include <string_view>

#include "common/config/config.h"
#include "edge/inbound/verdicts.h"

namespace postern::edge::inbound {

Plan plan_for(const config::Inbound& inbound, std::string_view client_ip, bool authenticated);

}  // namespace postern::edge::inbound
