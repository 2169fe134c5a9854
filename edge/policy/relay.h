// Relay controls (edge.inbound.relay, Domino's "Relay controls"): may this client send to this
// recipient? A pure function, run at RCPT TO.
//
// Contract, in order:
//   1. authenticated and authenticated_may_relay                    -> permit (any recipient)
//   2. enforce none, enforce external with a trusted client, or a
//      client in exclude_hosts                                      -> permit
//   3. a "trick" recipient (relay_trick(): '%', '!' or '@' in the local part, an address
//      literal) -> reject, whatever the allow lists say: a downstream MTA might route it away
//   4. a recipient in internet.local_domains                        -> permit
//   5. client in deny_hosts, or domain in deny_domains              -> reject
//   6. client in allow_hosts, or domain in allow_domains ("*" all)  -> permit
//   7. otherwise                                                    -> reject
// Rejections are 554 5.7.1 "Relay access denied" (Postfix's reply; the session counts it as
// an error). The defaults make 1, 4 and 7 the only rules: nobody relays unauthenticated.
//
// SECURITY: the recipient is untrusted client input; the rules never make a non-local or
// trick address local.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"
#include "common/smtp/codec/address.h"
#include "edge/policy/check.h"

namespace postern::edge::policy {

struct RelayClient {
  std::string_view ip;
  std::string_view verified_name;  // forward-confirmed PTR name, "" when none (or not looked up)
  bool authenticated = false;
  bool trusted = false;            // in edge.inbound.trusted_networks
};

// "" when `rcpt` is an ordinary address; else what makes it a relay trick.
std::string relay_trick(const smtp::codec::Mailbox& rcpt);

CheckResult check_relay(const config::InboundRelay& relay,
                        const std::vector<std::string>& local_domains,
                        const smtp::codec::Mailbox& rcpt, const RelayClient& client);

}  // namespace postern::edge::policy
