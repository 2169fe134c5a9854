#include "edge/inbound/decision.h"

namespace postern::edge::inbound {
namespace {

namespace dkim = mailauth::dkim;
namespace dmarc = mailauth::dmarc;
using smtp::Reply;

Decision reject(Reply reply, std::string reason) {
  return Decision{Decision::Kind::reject, std::move(reply), std::move(reason), {}};
}
Decision defer(Reply reply, std::string reason) {
  return Decision{Decision::Kind::defer, std::move(reply), std::move(reason), {}};
}

std::string spf_name(const spf::Verdict& v) {
  return std::string("SPF ") + std::string(spf::to_string(v.identity)) + " " +
         std::string(spf::to_string(v.result)) + " for " + v.domain;
}

std::optional<Decision> spf_reject(const config::InboundSpf& c, const spf::Verdict& v) {
  const bool rejects = (v.result == spf::Result::fail && c.on_fail == config::AuthAction::reject) ||
                       (v.result == spf::Result::softfail &&
                        c.on_softfail == config::AuthAction::reject);
  if (!rejects) return std::nullopt;
  return reject(Reply(550, {5, 7, 23}, "SPF validation failed: " + v.domain +
                                           " does not permit this host to send its mail"),
                spf_name(v));
}

std::optional<Decision> spf_defer(const config::InboundSpf& c, const spf::Verdict& v) {
  if (v.result != spf::Result::temperror || c.on_temperror != config::TempAction::defer)
    return std::nullopt;
  return defer(Reply(451, {4, 7, 24}, "SPF check of " + v.domain +
                                          " failed temporarily, try again later"),
               spf_name(v) + ": " + v.problem);
}

// DKIM as a whole: only when no signature passed does a failure or a temperror matter (one
// good signature is enough, RFC 6376 6.1).
bool dkim_has(const std::vector<dkim::SignatureResult>& sigs, dkim::Result r) {
  for (const auto& s : sigs) {
    if (s.result == r) return true;
  }
  return false;
}

}  // namespace

Decision decide(const config::Inbound& in, const Plan& plan, const Verdicts& v) {
  Decision d;
  // 1. Definite refusals.
  if (plan.spf_policy) {
    if (v.spf) {
      if (auto r = spf_reject(in.spf, *v.spf)) return *r;
    }
    if (v.spf_helo) {
      if (auto r = spf_reject(in.spf, *v.spf_helo)) return *r;
    }
  }
  const bool dkim_passed = v.dkim && dkim_has(*v.dkim, dkim::Result::pass);
  if (plan.dkim_policy && v.dkim && !dkim_passed && dkim_has(*v.dkim, dkim::Result::fail) &&
      in.dkim.on_fail == config::AuthAction::reject) {
    return reject(Reply(550, {5, 7, 20}, "No passing DKIM signature found"),
                  "DKIM: no signature passed, one failed");
  }
  if (plan.dmarc && v.dmarc && v.dmarc->result == dmarc::Result::fail &&
      v.dmarc->disposition.apply == dmarc::Policy::reject && in.dmarc.enforce) {
    return reject(Reply(550, {5, 7, 1}, "Message rejected by the DMARC policy of " +
                                            v.dmarc->policy_domain),
                  "DMARC fail, p=reject for " + v.dmarc->from_domain + ": " + v.dmarc->reason);
  }
  // 2. Temporary failures the admin wants retried.
  if (plan.spf_policy) {
    if (v.spf) {
      if (auto r = spf_defer(in.spf, *v.spf)) return *r;
    }
    if (v.spf_helo) {
      if (auto r = spf_defer(in.spf, *v.spf_helo)) return *r;
    }
  }
  if (plan.dkim_policy && v.dkim && !dkim_passed &&
      dkim_has(*v.dkim, dkim::Result::temperror) &&
      in.dkim.on_temperror == config::TempAction::defer) {
    return defer(Reply(451, {4, 7, 5}, "DKIM key lookup failed temporarily, try again later"),
                 "DKIM temperror");
  }
  if (plan.dmarc && v.dmarc && v.dmarc->result == dmarc::Result::temperror &&
      in.dmarc.on_temperror == config::DmarcTempAction::defer) {
    return defer(Reply(451, {4, 7, 1}, "DMARC policy lookup failed temporarily, try again later"),
                 "DMARC temperror for " + v.dmarc->from_domain + ": " + v.dmarc->reason);
  }
  // 3. Accepted; maybe marked for quarantine.
  if (plan.dmarc && v.dmarc && v.dmarc->result == dmarc::Result::fail &&
      in.dmarc.on_quarantine == config::QuarantineAction::tag) {
    if (v.dmarc->disposition.apply == dmarc::Policy::quarantine) {
      d.quarantine = "dmarc p=quarantine";
    } else if (v.dmarc->disposition.apply == dmarc::Policy::reject) {
      d.quarantine = "dmarc p=reject, not enforced";
    }
  }
  return d;
}

}  // namespace postern::edge::inbound
