// `posternctl explain`: replays the edge's inbound decision for one client, locally, with the
// same policy code the edge runs (edge/session.h, edge/policy/) and real DNS (the config's
// dns.servers): connect (PTR, DNSBL/DNSWL, connection controls), HELO, MAIL FROM (sender
// domain), each RCPT TO (relay and recipient controls), and end of DATA with a minimal
// message (SPF, DKIM, DMARC), printing each stage's policy lines, the replies, every fact with
// its weight, the total and the verdict.
//
// Contract: nothing is sent anywhere but DNS queries; counters (rate limits, sessions per IP)
// start empty and are not consulted; greylisting is reported as "not queried" (its state is
// in the routers) and the pre-greeting tests as not run. Exit code 0 when the message would be
// accepted, 2 when refused or deferred at some stage, 1 for bad input.
//
// SECURITY: input comes from the admin's command line; addresses are parsed by the same
// codec as SMTP input, so what cannot be sent cannot be explained either.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "common/config/config.h"

namespace postern::services {

struct ExplainInput {
  std::string ip;
  std::string helo;
  std::string from;             // "" = the null sender <>
  std::vector<std::string> to;  // at least one
  std::string listener;         // "" = the first listener without auth: required
};

int explain(const config::Config& config, const ExplainInput& input, std::ostream& out);

}  // namespace postern::services
