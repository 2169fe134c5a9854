#include "edge/policy/sender.h"

namespace postern::edge::policy {

using smtp::Reply;

CheckResult check_sender(const config::Inbound& in, const smtp::codec::Mailbox& from,
                         const SenderLookup& lookup) {
  if (lookup.ip_rate_exceeded) {
    return CheckResult::reject(Reply(450, {4, 7, 1}, "Rate limit exceeded, try again later"),
                               "rate_limits.messages_per_ip exceeded");
  }
  if (lookup.sender_rate_exceeded) {
    return CheckResult::reject(Reply(450, {4, 7, 1}, "Rate limit exceeded, try again later"),
                               "rate_limits.messages_per_sender exceeded");
  }
  if (from.null()) return CheckResult::dunno();
  const std::string& domain = from.domain;
  CheckResult r;
  switch (lookup.domain.status) {
    case SenderDomain::Status::not_looked_up:
    case SenderDomain::Status::exists:
      return r;
    case SenderDomain::Status::temperror:
      if (in.sender.verify_domain) {
        return CheckResult::reject(
            Reply(450, {4, 1, 8}, "Sender address rejected: cannot look up domain " + domain),
            "sender domain " + domain + ": " + lookup.domain.detail);
      }
      r.reason = "sender domain " + domain + ": " + lookup.domain.detail;
      return r;
    case SenderDomain::Status::missing:
    case SenderDomain::Status::null_mx: {
      const bool null_mx = lookup.domain.status == SenderDomain::Status::null_mx;
      const std::string why = null_mx ? "publishes a null MX" : "has no MX or address record";
      Fact f = make_fact(in.score, "sender_domain_missing", Stage::mail,
                         "sender domain " + domain + " " + why);
      if (in.sender.verify_domain) {
        r = CheckResult::reject(
            Reply(550, {5, 1, 8},
                  null_mx ? "Sender address rejected: domain " + domain + " accepts no mail"
                          : "Sender address rejected: domain " + domain + " not found"),
            "sender domain " + domain + " " + why);
      }
      r.facts.push_back(std::move(f));
      return r;
    }
  }
  return r;
}

}  // namespace postern::edge::policy
