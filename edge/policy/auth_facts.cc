#include "edge/policy/auth_facts.h"

namespace postern::edge::policy {

Facts auth_facts(const config::InboundScore& score, const inbound::Verdicts& v) {
  Facts out;
  if (v.spf) {
    const std::string who = "SPF " + v.spf->domain;
    switch (v.spf->result) {
      case spf::Result::fail:
        out.push_back(make_fact(score, "spf_fail", Stage::data, who + ": fail"));
        break;
      case spf::Result::softfail:
        out.push_back(make_fact(score, "spf_softfail", Stage::data, who + ": softfail"));
        break;
      case spf::Result::none:
        out.push_back(make_fact(score, "spf_none", Stage::data, who + ": none"));
        break;
      default:
        break;
    }
  }
  if (v.dkim) {
    bool passed = false, failed = false;
    for (const auto& s : *v.dkim) {
      passed |= s.result == mailauth::dkim::Result::pass;
      failed |= s.result == mailauth::dkim::Result::fail;
    }
    if (v.dkim->empty()) {
      out.push_back(make_fact(score, "dkim_none", Stage::data, "no DKIM signature"));
    } else if (!passed && failed) {
      out.push_back(make_fact(score, "dkim_fail", Stage::data, "no DKIM signature passed"));
    }
  }
  if (v.dmarc && v.dmarc->result == mailauth::dmarc::Result::fail) {
    out.push_back(make_fact(score, "dmarc_fail", Stage::data, "DMARC " + v.dmarc->from_domain + ": fail"));
  }
  return out;
}

}  // namespace postern::edge::policy
