// The reputation score: a pure function of the facts so far, the thresholds, and what later
// stages could still subtract -> a verdict with its reasons.
//
// Contract: the total is the sum of the facts' weights. Thresholds (edge.inbound.score), each
// optional: reject (550 5.7.1) >= defer (451 4.7.1) >= tag (X-Postern-Score header).
// Before the last stage evaluate() answers reject or defer only when that outcome is certain:
// reject when the total stays at or above `reject` even if every negative-weight fact that
// can still arrive does (`later.down`); defer when it stays at or above `defer` that way and
// cannot reach `reject` even if every positive one arrives (`later.up`). Otherwise it answers
// `pending`. At the last stage (`final_stage`, `later` ignored) it answers reject, defer, tag
// or accept. A higher verdict wins (reject over defer over tag).
#pragma once

#include <optional>
#include <string>

#include "common/config/config.h"
#include "common/smtp/reply.h"
#include "edge/policy/facts.h"

namespace postern::edge::policy {

struct ScoreVerdict {
  enum class Kind { pending, accept, tag, defer, reject };
  Kind kind = Kind::pending;
  double total = 0;
  std::optional<smtp::Reply> reply;  // defer and reject
  std::string reason;                // "score 7.5 >= reject 6 (no_ptr=+1.5 dnsbl:x=+6)"
};
const char* to_string(ScoreVerdict::Kind);

ScoreVerdict evaluate(const config::InboundScore& score, const Facts& facts, Later later,
                      bool final_stage);

// The X-Postern-Score header field (with CRLF): "X-Postern-Score: 5.5 (tag; no_ptr=+1.5 ...)".
std::string score_header(const ScoreVerdict& verdict, const Facts& facts);

}  // namespace postern::edge::policy
