#include "edge/policy/client.h"

#include "common/dnsbl/reply_text.h"
#include "edge/policy/host_list.h"

namespace postern::edge::policy {

using smtp::Reply;

bool scoring(const config::Inbound& in) {
  return in.score.tag || in.score.defer || in.score.reject;
}

ClientLookupPlan client_lookup_plan(const config::Inbound& in) {
  ClientLookupPlan p;
  p.zones = !in.dnsbl.zones.empty();
  p.allow_zones = !in.dnsbl.allow_zones.empty();
  // The PTR feeds verify_hostname, host names in lists and the score's PTR facts; without
  // any of them the greeting does not wait for it.
  p.ptr = in.connection.verify_hostname || scoring(in) || !in.connection.allow_hosts.names.empty() ||
          !in.connection.deny_hosts.names.empty() || !in.relay.allow_hosts.names.empty() ||
          !in.relay.deny_hosts.names.empty() || !in.relay.exclude_hosts.names.empty() ||
          !in.greylist.pass_hosts.names.empty();
  return p;
}

ClientVerdict check_client(const config::Inbound& in, std::string_view ip,
                           const ClientLookup& lookup) {
  ClientVerdict v;
  const std::string client(ip);
  const auto refuse = [&](Reply reply, std::string reason) {
    v.result = CheckResult::reject(std::move(reply), std::move(reason));
    v.at_connect = true;
    return v;
  };
  if (lookup.too_many_sessions) {
    return refuse(Reply(421, {4, 7, 0}, "Too many connections from " + client, true),
                  "more than connection.max_per_ip sessions from " + client);
  }
  if (lookup.rate_exceeded) {
    return refuse(Reply(421, {4, 7, 0}, "Too many connections from " + client +
                                            ", slow down", true),
                  "connection.rate_per_ip exceeded by " + client);
  }
  if (lookup.ptr.status == Ptr::Status::confirmed) v.verified_name = lookup.ptr.name;
  if (matches(in.connection.allow_hosts, ip, v.verified_name)) {
    v.result = CheckResult::permit("client in connection.allow_hosts");
    return v;
  }
  if (matches(in.connection.deny_hosts, ip, v.verified_name)) {
    return refuse(Reply(554, {5, 7, 1}, "Connection refused for " + client, true),
                  "client " + client + " in connection.deny_hosts");
  }
  const config::InboundScore& score = in.score;
  switch (lookup.ptr.status) {
    case Ptr::Status::none:
      v.result.facts.push_back(make_fact(score, "no_ptr", Stage::connect, client + " has no PTR"));
      break;
    case Ptr::Status::unconfirmed:
      v.result.facts.push_back(make_fact(score, "ptr_not_confirmed", Stage::connect,
                                         "no PTR name of " + client + " resolves back to it"));
      break;
    case Ptr::Status::temperror:
      v.log.push_back("PTR lookup of " + client + " failed temporarily");
      break;
    case Ptr::Status::confirmed:
    case Ptr::Status::not_looked_up:
      break;
  }
  if (in.connection.verify_hostname && lookup.ptr.status != Ptr::Status::confirmed) {
    if (lookup.ptr.status == Ptr::Status::temperror) {
      return refuse(Reply(421, {4, 7, 25}, "Cannot verify the host name of " + client +
                                               ", try again later", true),
                    "verify_hostname: PTR lookup of " + client + " failed temporarily");
    }
    return refuse(Reply(554, {5, 7, 25}, "Client host name of " + client + " not verified", true),
                  "verify_hostname: " + client + " has no forward-confirmed PTR");
  }
  if (lookup.early_talker) {
    v.result.facts.push_back(make_fact(score, "early_talker", Stage::connect,
                                       client + " talked before the greeting"));
    if (in.pregreet.reject_early_talkers) {
      v.result.facts.clear();
      return refuse(Reply(554, {5, 5, 1}, "Protocol error: talked before the greeting", true),
                    "early talker " + client);
    }
  }
  bool allowed = false;
  for (const auto& z : lookup.allow_zones) {
    if (z.outcome == ZoneAnswer::Outcome::error) {
      v.log.push_back("DNSWL " + z.zone + ": " + z.detail);
      continue;
    }
    if (z.outcome != ZoneAnswer::Outcome::listed) continue;
    allowed = true;
    double weight = -5;
    for (const auto& c : in.dnsbl.allow_zones) {
      if (c.zone == z.zone) weight = c.weight;
    }
    v.result.facts.push_back(Fact{"dnswl:" + z.zone, weight, client + " listed (" + z.codes + ")",
                                  Stage::connect});
  }
  if (allowed && in.dnsbl.allow_skips_zones) return v;
  for (const auto& z : lookup.zones) {
    if (z.outcome == ZoneAnswer::Outcome::error) {
      v.log.push_back("DNSBL " + z.zone + ": " + z.detail + " (counted as not listed)");
      continue;
    }
    if (z.outcome != ZoneAnswer::Outcome::listed) continue;
    const config::DnsblZone* cz = nullptr;
    for (const auto& c : in.dnsbl.zones) {
      if (c.zone == z.zone) cz = &c;
    }
    const config::DnsblAction action = cz ? cz->action : config::DnsblAction::tag;
    const double weight = action == config::DnsblAction::log ? 0 : (cz ? cz->weight : 5.0);
    std::string detail = client + " listed (" + z.codes + ")";
    if (!z.detail.empty()) detail += ": " + z.detail;
    v.result.facts.push_back(Fact{"dnsbl:" + z.zone, weight, detail, Stage::connect});
    if (action == config::DnsblAction::tag) v.tag = true;
    if (action == config::DnsblAction::reject && !v.result.rejected()) {
      const std::string& templ = cz && !cz->reply.empty() ? cz->reply : in.dnsbl.reply;
      Facts facts = std::move(v.result.facts);
      v.result = CheckResult::reject(Reply(550, {5, 7, 1}, dnsbl::format_reply(templ, client, z.zone)),
                                     "DNSBL " + z.zone + " lists " + client);
      v.result.facts = std::move(facts);
    }
  }
  return v;
}

}  // namespace postern::edge::policy
