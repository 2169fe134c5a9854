// The result of one inbound check (STYLE.md 4, Postfix's restriction lists): dunno (no
// opinion, the next check decides), permit (stop checking this stage, accepted), or reject
// with the reply to send (4xx or 5xx). Every result carries its reason for the log and the
// facts it observed for the reputation score (facts.h).
#pragma once

#include <optional>
#include <string>

#include "common/smtp/reply.h"
#include "edge/policy/facts.h"

namespace postern::edge::policy {

struct CheckResult {
  enum class Kind { dunno, permit, reject };
  Kind kind = Kind::dunno;
  std::optional<smtp::Reply> reply;  // reject only
  std::string reason;                // "" for a dunno without anything to say
  Facts facts;

  bool rejected() const { return kind == Kind::reject; }
  static CheckResult dunno(std::string reason = {}) {
    return CheckResult{Kind::dunno, std::nullopt, std::move(reason), {}};
  }
  static CheckResult permit(std::string reason) {
    return CheckResult{Kind::permit, std::nullopt, std::move(reason), {}};
  }
  static CheckResult reject(smtp::Reply reply, std::string reason) {
    return CheckResult{Kind::reject, std::move(reply), std::move(reason), {}};
  }
};
const char* to_string(CheckResult::Kind);

}  // namespace postern::edge::policy
