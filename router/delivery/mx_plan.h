// Which hosts to try for a domain in direct mode (RFC 5321 5.1, RFC 7505): pure.
//
// Contract: from the MX answer alone. ok → hosts by ascending preference, equal preferences
// in random order (the caller's generator: load spreading, deterministic in tests); a null MX
// (a single "." target; null entries among real ones are ignored) → permanent 556 5.1.10;
// nxdomain → permanent 550 5.1.2; nodata → the domain itself as the implicit MX;
// temperror/permerror → temporary 451 4.4.3 (a broken answer is not proof of non-existence).
#pragma once

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/dns/resolver.h"
#include "common/smtp/reply.h"

namespace postern::router::delivery {

struct MxPlan {
  std::vector<std::string> hosts;
  bool implicit = false;                // hosts = {domain}: no MX records (RFC 5321 5.1)
  std::optional<smtp::Reply> failure;   // set: deliver nowhere, this reply for all
};

MxPlan plan_mx(const dns::Answer<dns::MxRecord>& answer, const std::string& domain,
               std::mt19937& random);

}  // namespace postern::router::delivery
