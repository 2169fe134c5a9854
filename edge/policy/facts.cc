#include "edge/policy/facts.h"

#include <algorithm>
#include <cstdio>

namespace postern::edge::policy {

const char* to_string(Stage s) {
  switch (s) {
    case Stage::connect: return "connect";
    case Stage::helo: return "helo";
    case Stage::mail: return "mail";
    case Stage::rcpt: return "rcpt";
    case Stage::data: return "data";
  }
  return "?";
}

Fact make_fact(const config::InboundScore& score, std::string name, Stage stage,
               std::string detail) {
  Fact f;
  auto it = score.weights.find(name);
  f.weight = it == score.weights.end() ? 0 : it->second;
  f.name = std::move(name);
  f.detail = std::move(detail);
  f.stage = stage;
  return f;
}

Stage stage_of(std::string_view name) {
  if (name == "helo_not_fqdn" || name == "helo_mismatch" || name == "pipelining") return Stage::helo;
  if (name == "sender_domain_missing" || name == "authenticated") return Stage::mail;
  if (name == "greylist_passed") return Stage::rcpt;
  if (name.rfind("spf_", 0) == 0 || name.rfind("dkim_", 0) == 0 || name.rfind("dmarc_", 0) == 0)
    return Stage::data;
  return Stage::connect;
}

Later still_possible(const config::InboundScore& score, Stage stage, bool can_authenticate,
                     bool greylisting) {
  Later later;
  // SPF's and DKIM's facts exclude each other within their check: count the extreme one.
  double spf_up = 0, spf_down = 0, dkim_up = 0, dkim_down = 0;
  for (const auto& [name, weight] : score.weights) {
    if (stage_of(name) <= stage) continue;
    if (name == "authenticated" && !can_authenticate) continue;
    if (name == "greylist_passed" && !greylisting) continue;
    if (name.rfind("spf_", 0) == 0) {
      spf_up = std::max(spf_up, weight);
      spf_down = std::min(spf_down, weight);
    } else if (name.rfind("dkim_", 0) == 0) {
      dkim_up = std::max(dkim_up, weight);
      dkim_down = std::min(dkim_down, weight);
    } else if (weight < 0) {
      later.down += weight;
    } else {
      later.up += weight;
    }
  }
  later.up += spf_up + dkim_up;
  later.down += spf_down + dkim_down;
  return later;
}

double total(const Facts& facts) {
  double t = 0;
  for (const auto& f : facts) t += f.weight;
  return t;
}

std::string format_weight(double w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+g", w);
  return buf;
}

std::string describe(const Facts& facts) {
  std::string out;
  for (const auto& f : facts) {
    if (!out.empty()) out += ' ';
    out += f.name + "=" + format_weight(f.weight);
  }
  return out;
}

}  // namespace postern::edge::policy
