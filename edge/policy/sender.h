// Sender controls (edge.inbound.sender) and the per-IP / per-user message rate at MAIL FROM:
// a pure function of what the adapter looked up.
//
// Contract:
//   rate limit exceeded (rate_limits.messages_per_ip / _per_sender)  -> 450 4.7.1
//   sender domain has no MX and no A/AAAA (NXDOMAIN or no data)       -> fact
//     sender_domain_missing; with verify_domain: 550 5.1.8
//   sender domain publishes a null MX (RFC 7505)                       -> the same fact;
//     with verify_domain: 550 5.1.8 (RFC 7505 4.2: 550 5.7.27 would do too; 5.1.8 is the
//     "bad sender's system address" code admins know)
//   lookup failed temporarily, with verify_domain                      -> 450 4.1.8
// The null sender <> is never checked (bounces must get through).
#pragma once

#include <string>

#include "common/config/config.h"
#include "common/smtp/codec/address.h"
#include "edge/policy/check.h"

namespace postern::edge::policy {

struct SenderDomain {
  enum class Status { not_looked_up, exists, missing, null_mx, temperror };
  Status status = Status::not_looked_up;
  std::string detail;  // for the log
};

struct SenderLookup {
  SenderDomain domain;
  bool ip_rate_exceeded = false;
  bool sender_rate_exceeded = false;
};

// What the adapter must look up at MAIL FROM (the session fills it).
struct SenderLookupPlan {
  std::string domain;           // "" = no domain lookup
  std::string rate_ip;          // "" = no per-IP rate count
  std::string rate_sender;      // "" = no per-user rate count
  bool any() const { return !domain.empty() || !rate_ip.empty() || !rate_sender.empty(); }
};

CheckResult check_sender(const config::Inbound& inbound, const smtp::codec::Mailbox& from,
                         const SenderLookup& lookup);

}  // namespace postern::edge::policy
