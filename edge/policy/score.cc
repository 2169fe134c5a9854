#include "edge/policy/score.h"

#include <algorithm>
#include <cstdio>

namespace postern::edge::policy {

using smtp::Reply;

namespace {

std::string number(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

}  // namespace

const char* to_string(ScoreVerdict::Kind k) {
  switch (k) {
    case ScoreVerdict::Kind::pending: return "pending";
    case ScoreVerdict::Kind::accept: return "accept";
    case ScoreVerdict::Kind::tag: return "tag";
    case ScoreVerdict::Kind::defer: return "defer";
    case ScoreVerdict::Kind::reject: return "reject";
  }
  return "?";
}

ScoreVerdict evaluate(const config::InboundScore& score, const Facts& facts, Later later,
                      bool final_stage) {
  ScoreVerdict v;
  v.total = total(facts);
  if (final_stage) later = {};
  const double lowest = v.total + std::min(later.down, 0.0);
  const double highest = v.total + std::max(later.up, 0.0);
  const std::string shown = describe(facts);
  const auto because = [&](const char* what, double threshold) {
    return "score " + number(v.total) + " >= " + what + " " + number(threshold) + " (" + shown +
           ")";
  };
  if (score.reject && lowest >= *score.reject) {
    v.kind = ScoreVerdict::Kind::reject;
    v.reason = because("reject", *score.reject);
    v.reply = Reply(550, {5, 7, 1}, "Rejected by reputation score " + number(v.total));
    return v;
  }
  if (score.defer && lowest >= *score.defer && (!score.reject || highest < *score.reject)) {
    v.kind = ScoreVerdict::Kind::defer;
    v.reason = because("defer", *score.defer);
    v.reply = Reply(451, {4, 7, 1}, "Reputation score " + number(v.total) + ", try again later");
    return v;
  }
  if (!final_stage) {
    v.reason = "score " + number(v.total) + " so far (" + shown + ")";
    return v;
  }
  if (score.tag && v.total >= *score.tag) {
    v.kind = ScoreVerdict::Kind::tag;
    v.reason = because("tag", *score.tag);
    return v;
  }
  v.kind = ScoreVerdict::Kind::accept;
  v.reason = "score " + number(v.total) + " (" + shown + ")";
  return v;
}

std::string score_header(const ScoreVerdict& verdict, const Facts& facts) {
  // Folded (RFC 5322 2.2.3) so that no line grows past 78 characters.
  std::string f = "X-Postern-Score: " + number(verdict.total) + " (" + to_string(verdict.kind);
  std::size_t line_start = 0;
  for (const auto& fact : facts) {
    const std::string item = fact.name + "=" + format_weight(fact.weight);
    if (f.size() - line_start + 1 + item.size() > 76) {
      f += "\r\n";
      line_start = f.size();
      f += "\t" + item;
    } else {
      f += " " + item;
    }
  }
  f += ")\r\n";
  return f;
}

}  // namespace postern::edge::policy
