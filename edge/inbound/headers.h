// The header fields the edge writes after sender authentication, and the clean-up of fields a
// sender must not be able to forge: pure text functions.
//
//   Authentication-Results: <hostname>; spf=pass smtp.mailfrom=a@example.com;
//   	dkim=pass header.d=example.com header.s=sel header.b="abcdefgh"; dmarc=pass
//   	header.from=example.com; iprev=pass policy.iprev=192.0.2.1
//   Received-SPF: pass (...) receiver=...; client-ip=...; ...     one per checked identity
//   X-Postern-Quarantine: yes (dmarc p=quarantine)                 when Decision::quarantine
//
// What is written follows the actions (config.h): a check's result is left out when its action
// for that result is none ("log only"); DMARC and iprev results are always written when they
// ran. Nothing is written for a client the plan does not check.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/config/config.h"
#include "edge/inbound/decision.h"
#include "edge/inbound/verdicts.h"

namespace postern::edge::inbound {

inline constexpr std::string_view kQuarantineField = "X-Postern-Quarantine";
// The reputation score's field (edge/policy/score.h): also only ours.
inline constexpr std::string_view kScoreField = "X-Postern-Score";

struct HeaderContext {
  std::string hostname;   // internet.hostname: the authserv-id and Received-SPF receiver
  std::string client_ip;
  std::string helo;
  std::string mail_from;  // reverse-path as sent, "" for <>
};

// The fields to prepend (each ending in CRLF); "" when there is nothing to say.
std::string authentication_fields(const config::Inbound& inbound, const Plan& plan,
                                  const Verdicts& verdicts, const Decision& decision,
                                  const HeaderContext& context);

struct Cleaned {
  std::string message;
  std::size_t removed = 0;  // fields removed (for the log)
};

// Removes from the message's header block (RFC 8601 5) every Authentication-Results field
// carrying `authserv_id` (or an unparseable one) and every X-Postern-Quarantine and
// X-Postern-Score field: only this edge may write them. The body and every other byte are kept as they were.
Cleaned remove_forged_fields(std::string_view message, std::string_view authserv_id);

}  // namespace postern::edge::inbound
