// Reader for the edge section: listeners, TLS files, limits, debug levels, drain timeout,
// inbound sender authentication (spf, dkim, dmarc, trusted_networks).
#include "common/config/sections.h"

namespace postern::config::detail {
namespace {

using namespace std::chrono_literals;

Listener read_listener(const yaml::Value& v) {
  auto m = v.map();
  auto name = m.require("name");
  auto address = m.require("address");
  auto tls = m.get("tls");
  auto auth = m.get("auth");
  m.finish();
  Listener out;
  out.name = name.non_empty_string();
  out.address = address.host_port();
  if (tls) {
    out.tls = tls->one_of<ListenerTls>({{"none", ListenerTls::none},
                                        {"starttls", ListenerTls::starttls},
                                        {"implicit", ListenerTls::implicit}});
  }
  if (auth) {
    out.auth = auth->one_of<ListenerAuth>({{"none", ListenerAuth::none},
                                           {"optional", ListenerAuth::optional},
                                           {"required", ListenerAuth::required}});
  }
  return out;
}

TlsFiles read_tls(const yaml::Value& v) {
  auto m = v.map();
  auto cert = m.require("cert");
  auto key = m.require("key");
  m.finish();
  return TlsFiles{cert.non_empty_string(), key.non_empty_string()};
}

EdgeLimits read_limits(const yaml::Value& v) {
  auto m = v.map();
  auto max_message_bytes = m.get("max_message_bytes");
  auto max_recipients = m.get("max_recipients");
  auto error_limit = m.get("error_limit");
  auto max_connections = m.get("max_connections");
  auto idle_timeout = m.get("idle_timeout");
  auto data_timeout = m.get("data_timeout");
  m.finish();
  EdgeLimits out;
  // 1 KiB .. 1 GiB: below RFC 5321's 64 KiB minimum is allowed for tests, above 1 GiB a
  // single message would dominate a router's queue.
  if (max_message_bytes) out.max_message_bytes = max_message_bytes->byte_size(1024, 1ull << 30);
  if (max_recipients) out.max_recipients = static_cast<uint32_t>(max_recipients->integer(1, 100000));
  if (error_limit) out.error_limit = static_cast<uint32_t>(error_limit->integer(1, 1000));
  if (max_connections) {
    out.max_connections = static_cast<uint32_t>(max_connections->integer(1, 1000000));
  }
  if (idle_timeout) out.idle_timeout = idle_timeout->seconds(1s);
  if (data_timeout) out.data_timeout = data_timeout->seconds(1s);
  return out;
}

EdgeDebug read_debug(const yaml::Value& v) {
  auto m = v.map();
  auto smtp = m.get("smtp");
  auto io = m.get("io");
  m.finish();
  EdgeDebug out;
  if (smtp) out.smtp = static_cast<int>(smtp->integer(0, 4));
  if (io) {
    out.io = static_cast<int>(io->integer(0, 4));
    if (out.io == 2) io->fail("must be 0, 1, 3 or 4 (got 2)");
  }
  return out;
}

std::vector<Cidr> read_cidrs(const yaml::Value& v) {
  std::vector<Cidr> out;
  for (const auto& item : v.list()) {
    CidrParse parsed = parse_cidr(item.non_empty_string());
    if (!parsed.cidr) item.fail(parsed.error + " (got \"" + item.string() + "\")");
    out.push_back(*parsed.cidr);
  }
  return out;
}

AuthAction read_action(const yaml::Value& v) {
  return v.one_of<AuthAction>(
      {{"none", AuthAction::none}, {"tag", AuthAction::tag}, {"reject", AuthAction::reject}});
}

TempAction read_temp_action(const yaml::Value& v) {
  return v.one_of<TempAction>(
      {{"none", TempAction::none}, {"tag", TempAction::tag}, {"defer", TempAction::defer}});
}

InboundSpf read_spf(const yaml::Value& v) {
  auto m = v.map();
  auto enabled = m.get("enabled");
  auto on_fail = m.get("on_fail");
  auto on_softfail = m.get("on_softfail");
  auto on_temperror = m.get("on_temperror");
  auto check_helo = m.get("check_helo");
  auto skip_hosts = m.get("skip_hosts");
  m.finish();
  InboundSpf out;
  if (enabled) out.enabled = enabled->boolean();
  if (on_fail) out.on_fail = read_action(*on_fail);
  if (on_softfail) out.on_softfail = read_action(*on_softfail);
  if (on_temperror) out.on_temperror = read_temp_action(*on_temperror);
  if (check_helo) out.check_helo = check_helo->boolean();
  if (skip_hosts) out.skip_hosts = read_cidrs(*skip_hosts);
  return out;
}

InboundDkim read_dkim(const yaml::Value& v) {
  auto m = v.map();
  auto enabled = m.get("enabled");
  auto on_fail = m.get("on_fail");
  auto on_temperror = m.get("on_temperror");
  auto skip_hosts = m.get("skip_hosts");
  m.finish();
  InboundDkim out;
  if (enabled) out.enabled = enabled->boolean();
  if (on_fail) out.on_fail = read_action(*on_fail);
  if (on_temperror) out.on_temperror = read_temp_action(*on_temperror);
  if (skip_hosts) out.skip_hosts = read_cidrs(*skip_hosts);
  return out;
}

InboundDmarc read_dmarc(const yaml::Value& v) {
  auto m = v.map();
  auto enabled = m.get("enabled");
  auto enforce = m.get("enforce");
  auto org_domain = m.get("org_domain");
  auto on_quarantine = m.get("on_quarantine");
  auto on_temperror = m.get("on_temperror");
  auto skip_hosts = m.get("skip_hosts");
  m.finish();
  InboundDmarc out;
  if (enabled) out.enabled = enabled->boolean();
  if (enforce) out.enforce = enforce->boolean();
  if (org_domain) {
    out.org_domain = org_domain->one_of<OrgDomainMethod>(
        {{"psl", OrgDomainMethod::psl}, {"tree_walk", OrgDomainMethod::tree_walk}});
  }
  if (on_quarantine) {
    out.on_quarantine = on_quarantine->one_of<QuarantineAction>(
        {{"tag", QuarantineAction::tag}, {"none", QuarantineAction::none}});
  }
  if (on_temperror) {
    out.on_temperror = on_temperror->one_of<DmarcTempAction>(
        {{"none", DmarcTempAction::none}, {"defer", DmarcTempAction::defer}});
  }
  if (skip_hosts) out.skip_hosts = read_cidrs(*skip_hosts);
  return out;
}

Inbound read_inbound(const yaml::Value& v) {
  auto m = v.map();
  auto spf = m.get("spf");
  auto dkim = m.get("dkim");
  auto dmarc = m.get("dmarc");
  auto trusted_networks = m.get("trusted_networks");
  for (const char* key : {"relay", "connection", "sender", "recipients", "dnsbl", "score",
                          "greylist"}) {
    m.refuse(key, std::string("not supported yet: the inbound control edge.inbound.") + key +
                      " is not built; remove it (until then unauthenticated clients may send "
                      "only to internet.local_domains)");
  }
  m.finish();
  Inbound out;
  if (spf) out.spf = read_spf(*spf);
  if (dkim) out.dkim = read_dkim(*dkim);
  if (dmarc) out.dmarc = read_dmarc(*dmarc);
  if (trusted_networks) out.trusted_networks = read_cidrs(*trusted_networks);
  return out;
}

}  // namespace

Edge read_edge(const yaml::Value& v) {
  auto m = v.map();
  auto listeners = m.get("listeners");
  auto tls = m.get("tls");
  auto limits = m.get("limits");
  auto debug = m.get("debug");
  auto drain_timeout = m.get("drain_timeout");
  auto inbound = m.get("inbound");
  m.finish();
  Edge out;
  if (listeners) {
    for (const auto& item : listeners->list()) out.listeners.push_back(read_listener(item));
  }
  if (tls) out.tls = read_tls(*tls);
  if (limits) out.limits = read_limits(*limits);
  if (debug) out.debug = read_debug(*debug);
  if (drain_timeout) out.drain_timeout = drain_timeout->seconds(0s);
  if (inbound) out.inbound = read_inbound(*inbound);
  return out;
}

}  // namespace postern::config::detail
