// The reputation score's input: facts that checks state about a client or a transaction, each
// with its weight from edge.inbound.score.weights (or, for DNSBL/DNSWL zones, the zone's own
// weight). Pure values.
//
// Fact names are fixed (config::InboundScore::fact_names()); DNSBL hits are named
// "dnsbl:<zone>" and DNSWL hits "dnswl:<zone>". A fact with weight 0 is still recorded, so the
// log shows everything that was observed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"

namespace postern::edge::policy {

// The SMTP stages at which the policy is evaluated, in dialogue order.
enum class Stage { connect, helo, mail, rcpt, data };
const char* to_string(Stage);

struct Fact {
  std::string name;    // "no_ptr", "dnsbl:zen.example", ...
  double weight = 0;
  std::string detail;  // for the log: what was seen ("192.0.2.1 has no PTR")
  Stage stage = Stage::connect;
  bool operator==(const Fact&) const = default;
};

using Facts = std::vector<Fact>;

// A fact named `name` with its configured weight (0 when the weight table lacks it).
Fact make_fact(const config::InboundScore& score, std::string name, Stage stage,
               std::string detail = {});

double total(const Facts& facts);

// The stage at which the named fact can arise ("dnsbl:..." and "dnswl:..." at connect).
Stage stage_of(std::string_view name);

// How much the facts that can still arise after `stage` could move the total: `down` sums
// their negative weights (<= 0), `up` their positive ones (>= 0). `can_authenticate` and
// `greylisting` say whether "authenticated" and "greylist_passed" still can arise.
struct Later {
  double down = 0;
  double up = 0;
};
Later still_possible(const config::InboundScore& score, Stage stage, bool can_authenticate,
                     bool greylisting);

// "+1.5", "-5", "+0".
std::string format_weight(double weight);

// "no_ptr=+1.5 dnsbl:zen.example=+5" (weights with sign, in order); "" for no facts.
std::string describe(const Facts& facts);

}  // namespace postern::edge::policy
