#include "edge/inbound/plan.h"

namespace postern::edge::inbound {

Plan plan_for(const config::Inbound& in, std::string_view client_ip, bool authenticated) {
  Plan p;
  if (authenticated || config::any_contains(in.trusted_networks, client_ip)) return p;
  p.spf_policy = in.spf.enabled && !config::any_contains(in.spf.skip_hosts, client_ip);
  p.dkim_policy = in.dkim.enabled && !config::any_contains(in.dkim.skip_hosts, client_ip);
  p.dmarc = in.dmarc.enabled && !config::any_contains(in.dmarc.skip_hosts, client_ip);
  p.spf = p.spf_policy || p.dmarc;
  p.spf_helo = p.spf_policy && in.spf.check_helo;
  p.dkim = p.dkim_policy || p.dmarc;
  p.iprev = p.spf || p.dkim || p.dmarc;
  return p;
}

}  // namespace postern::edge::inbound
