#include "edge/policy/relay.h"

#include "edge/policy/host_list.h"
#include "edge/relay.h"

namespace postern::edge::policy {

using smtp::Reply;

namespace {

std::string normalized_domain(std::string d) {
  if (!d.empty() && d.back() == '.') d.pop_back();
  for (char& c : d) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return d;
}

CheckResult denied(std::string reason) {
  return CheckResult::reject(Reply(554, {5, 7, 1}, "Relay access denied"), std::move(reason));
}

}  // namespace

const char* to_string(CheckResult::Kind k) {
  switch (k) {
    case CheckResult::Kind::dunno: return "dunno";
    case CheckResult::Kind::permit: return "permit";
    case CheckResult::Kind::reject: return "reject";
  }
  return "?";
}

std::string relay_trick(const smtp::codec::Mailbox& rcpt) {
  if (rcpt.is_literal()) return "address literal " + rcpt.domain;
  if (rcpt.local.find('%') != std::string::npos) return "'%' in the local part";
  if (rcpt.local.find('!') != std::string::npos) return "'!' in the local part";
  if (rcpt.local.find('@') != std::string::npos) return "'@' in the local part";
  return {};
}

CheckResult check_relay(const config::InboundRelay& relay,
                        const std::vector<std::string>& local_domains,
                        const smtp::codec::Mailbox& rcpt, const RelayClient& client) {
  if (client.authenticated && relay.authenticated_may_relay)
    return CheckResult::permit("authenticated client");
  if (relay.enforce == config::RelayEnforce::none) return CheckResult::permit("relay enforce none");
  if (relay.enforce == config::RelayEnforce::external && client.trusted)
    return CheckResult::permit("trusted client (relay enforce external)");
  if (matches(relay.exclude_hosts, client.ip, client.verified_name))
    return CheckResult::permit("client in relay.exclude_hosts");
  const std::string address = rcpt.to_string();
  if (std::string trick = relay_trick(rcpt); !trick.empty())
    return denied("recipient " + address + ": " + trick);
  if (is_local_recipient(rcpt, local_domains)) return CheckResult::permit("local recipient");
  const std::string domain = normalized_domain(rcpt.domain);
  if (matches(relay.deny_hosts, client.ip, client.verified_name))
    return denied("client in relay.deny_hosts, recipient " + address);
  if (domain_listed(relay.deny_domains, domain))
    return denied("domain " + domain + " in relay.deny_domains");
  if (matches(relay.allow_hosts, client.ip, client.verified_name))
    return CheckResult::permit("client in relay.allow_hosts");
  if (domain_listed(relay.allow_domains, domain))
    return CheckResult::permit("domain " + domain + " in relay.allow_domains");
  return denied("relay to " + address + " not allowed");
}

}  // namespace postern::edge::policy
