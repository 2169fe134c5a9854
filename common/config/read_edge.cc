// Reader for the edge section: listeners, TLS files, limits, debug levels, drain timeout,
// inbound sender authentication (spf, dkim, dmarc, trusted_networks) and the inbound
// controls (relay, connection, sender, recipients, dnsbl, score, greylist, pregreet,
// rate_limits; issue 5).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "common/config/sections.h"

namespace postern::config {

// The facts of the reputation score (edge/policy/facts.h produces them) and their default
// weights. DNSBL and DNSWL zones carry their own weight (edge.inbound.dnsbl).
const std::vector<std::string>& InboundScore::fact_names() {
  static const std::vector<std::string> names{
      "no_ptr",        "ptr_not_confirmed", "helo_not_fqdn", "helo_mismatch",
      "spf_fail",      "spf_softfail",      "spf_none",      "dkim_fail",
      "dkim_none",     "dmarc_fail",        "sender_domain_missing",
      "early_talker",  "pipelining",        "greylist_passed", "authenticated"};
  return names;
}

std::map<std::string, double> InboundScore::default_weights() {
  return {{"no_ptr", 1.5},         {"ptr_not_confirmed", 1.0}, {"helo_not_fqdn", 1.0},
          {"helo_mismatch", 0.5},  {"spf_fail", 3.0},          {"spf_softfail", 1.5},
          {"spf_none", 0.5},       {"dkim_fail", 2.0},         {"dkim_none", 0.5},
          {"dmarc_fail", 3.0},     {"sender_domain_missing", 3.0},
          {"early_talker", 3.0},   {"pipelining", 2.0},        {"greylist_passed", -1.0},
          {"authenticated", -10.0}};
}

}  // namespace postern::config

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

// A number as written ("2", "-1.5"); weights and thresholds.
double number(const yaml::Value& v) {
  const std::string s = v.string();
  char* end = nullptr;
  errno = 0;
  const double d = s.empty() ? 0 : std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || errno != 0 || !std::isfinite(d) ||
      std::fabs(d) > 1e6) {
    v.fail("must be a number between -1000000 and 1000000 (got \"" + s + "\")");
  }
  return d;
}

// CIDR blocks and host names in one list: anything with a '/' or ':' or only digits and dots
// is an address block, the rest must be a host name ("*.example" allowed).
HostList read_hosts(const yaml::Value& v) {
  HostList out;
  for (const auto& item : v.list()) {
    const std::string text = item.non_empty_string();
    const bool looks_numeric =
        text.find_first_not_of("0123456789.") == std::string::npos ||
        text.find_first_of("/:") != std::string::npos;
    if (looks_numeric) {
      CidrParse parsed = parse_cidr(text);
      if (!parsed.cidr) item.fail(parsed.error + " (got \"" + text + "\")");
      out.networks.push_back(*parsed.cidr);
    } else {
      std::string name = item.domain(true);
      if (name == "*") item.fail("\"*\" is not a host; use 0.0.0.0/0 and ::/0 for every client");
      out.names.push_back(std::move(name));
    }
  }
  return out;
}

std::vector<std::string> read_domains(const yaml::Value& v) {
  std::vector<std::string> out;
  for (const auto& item : v.list()) out.push_back(item.domain(true));
  return out;
}

InboundRelay read_relay(const yaml::Value& v) {
  auto m = v.map();
  auto allow_domains = m.get("allow_domains");
  auto deny_domains = m.get("deny_domains");
  auto allow_hosts = m.get("allow_hosts");
  auto deny_hosts = m.get("deny_hosts");
  auto enforce = m.get("enforce");
  auto allow_open_relay = m.get("allow_open_relay");
  auto exclude_hosts = m.get("exclude_hosts");
  auto authenticated = m.get("authenticated_may_relay");
  m.finish();
  InboundRelay out;
  if (allow_domains) out.allow_domains = read_domains(*allow_domains);
  if (deny_domains) out.deny_domains = read_domains(*deny_domains);
  if (allow_hosts) out.allow_hosts = read_hosts(*allow_hosts);
  if (deny_hosts) out.deny_hosts = read_hosts(*deny_hosts);
  if (allow_open_relay) out.allow_open_relay = allow_open_relay->boolean();
  if (enforce) {
    out.enforce = enforce->one_of<RelayEnforce>({{"all", RelayEnforce::all},
                                                 {"external", RelayEnforce::external},
                                                 {"none", RelayEnforce::none}});
    if (out.enforce == RelayEnforce::none && !out.allow_open_relay) {
      enforce->fail("none makes an open relay; set allow_open_relay: true if that is meant");
    }
  }
  if (exclude_hosts) out.exclude_hosts = read_hosts(*exclude_hosts);
  if (authenticated) out.authenticated_may_relay = authenticated->boolean();
  return out;
}

InboundConnection read_connection(const yaml::Value& v) {
  auto m = v.map();
  auto allow_hosts = m.get("allow_hosts");
  auto deny_hosts = m.get("deny_hosts");
  auto verify_hostname = m.get("verify_hostname");
  auto max_per_ip = m.get("max_per_ip");
  auto rate_per_ip = m.get("rate_per_ip");
  auto rate_window = m.get("rate_window");
  m.finish();
  InboundConnection out;
  if (allow_hosts) out.allow_hosts = read_hosts(*allow_hosts);
  if (deny_hosts) out.deny_hosts = read_hosts(*deny_hosts);
  if (verify_hostname) out.verify_hostname = verify_hostname->boolean();
  if (max_per_ip) out.max_per_ip = static_cast<uint32_t>(max_per_ip->integer(0, 1000000));
  if (rate_per_ip) out.rate_per_ip = static_cast<uint32_t>(rate_per_ip->integer(0, 1000000));
  if (rate_window) out.rate_window = rate_window->seconds(1s);
  return out;
}

InboundSender read_sender(const yaml::Value& v) {
  auto m = v.map();
  auto verify_domain = m.get("verify_domain");
  m.finish();
  InboundSender out;
  if (verify_domain) out.verify_domain = verify_domain->boolean();
  return out;
}

InboundRecipients read_recipients(const yaml::Value& v) {
  auto m = v.map();
  auto verify_local = m.get("verify_local");
  auto deny_groups = m.get("deny_groups");
  m.finish();
  InboundRecipients out;
  if (verify_local) out.verify_local = verify_local->boolean();
  if (deny_groups) out.deny_groups = deny_groups->boolean();
  return out;
}

bool is_ipv4(const std::string& s) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t j = s.find('.', i);
    if (j == std::string::npos) j = s.size();
    const std::string part = s.substr(i, j - i);
    if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(part) > 255) {
      return false;
    }
    ++parts;
    i = j + 1;
  }
  return parts == 4;
}

// The syntax of common/dnsbl/codes.h (the edge compiles the codes with that parser; this
// only makes a typo a config error, with its key path).
void check_code(const yaml::Value& v) {
  const std::string s = v.non_empty_string();
  const auto in_loopback = [](const std::string& a) { return a.rfind("127.", 0) == 0; };
  bool ok = false;
  if (s.rfind("mask:", 0) == 0) {
    ok = is_ipv4(s.substr(5));
  } else if (auto dash = s.find('-'); dash != std::string::npos) {
    ok = is_ipv4(s.substr(0, dash)) && is_ipv4(s.substr(dash + 1)) &&
         in_loopback(s.substr(0, dash)) && in_loopback(s.substr(dash + 1));
  } else if (auto slash = s.find('/'); slash != std::string::npos) {
    ok = is_ipv4(s.substr(0, slash)) && in_loopback(s) && parse_cidr(s).cidr.has_value();
  } else {
    ok = is_ipv4(s) && in_loopback(s);
  }
  if (!ok) {
    v.fail("must be a 127.0.0.0/8 code: \"127.0.0.2\", \"127.0.0.4/30\", "
           "\"127.0.0.2-127.0.0.11\" or \"mask:0.0.0.4\" (got \"" + s + "\")");
  }
}

DnsblZone read_zone(const yaml::Value& v, bool allow_list) {
  auto m = v.map();
  auto zone = m.require("zone");
  auto codes = m.get("codes");
  std::optional<yaml::Value> action, reply;
  if (!allow_list) {
    action = m.get("action");
    reply = m.get("reply");
  }
  auto weight = m.get("weight");
  m.finish();
  DnsblZone out;
  out.zone = zone.domain();
  if (out.zone.size() > 200) zone.fail("too long for a DNSxL zone (at most 200 octets)");
  if (codes) {
    for (const auto& c : codes->list()) {
      check_code(c);
      out.codes.push_back(c.string());
    }
  }
  if (action) {
    out.action = action->one_of<DnsblAction>(
        {{"log", DnsblAction::log}, {"tag", DnsblAction::tag}, {"reject", DnsblAction::reject}});
  }
  if (reply) out.reply = reply->non_empty_string();
  out.weight = weight ? number(*weight) : (allow_list ? -5.0 : 5.0);
  return out;
}

InboundDnsbl read_dnsbl(const yaml::Value& v) {
  auto m = v.map();
  auto zones = m.get("zones");
  auto allow_zones = m.get("allow_zones");
  auto allow_skips_zones = m.get("allow_skips_zones");
  auto reply = m.get("reply");
  m.finish();
  InboundDnsbl out;
  if (zones) {
    for (const auto& z : zones->list()) out.zones.push_back(read_zone(z, false));
  }
  if (allow_zones) {
    for (const auto& z : allow_zones->list()) out.allow_zones.push_back(read_zone(z, true));
  }
  if (allow_skips_zones) out.allow_skips_zones = allow_skips_zones->boolean();
  if (reply) out.reply = reply->non_empty_string();
  return out;
}

InboundScore read_score(const yaml::Value& v) {
  auto m = v.map();
  auto weights = m.get("weights");
  auto tag = m.get("tag");
  auto defer = m.get("defer");
  auto reject = m.get("reject");
  m.finish();
  InboundScore out;
  if (weights) {
    auto w = weights->map();
    const auto& names = InboundScore::fact_names();
    for (auto& [name, value] : w.entries()) {
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::string known;
        for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
        value.fail("unknown fact (known: " + known +
                   "; DNSBL/DNSWL zones have their own weight in edge.inbound.dnsbl)");
      }
      out.weights[name] = number(value);
    }
  }
  // "off" (or null) disables a threshold.
  const auto threshold = [](const yaml::Value& t) -> std::optional<double> {
    if (t.is_null() || t.string() == "off") return std::nullopt;
    return number(t);
  };
  if (tag) out.tag = threshold(*tag);
  if (defer) out.defer = threshold(*defer);
  if (reject) out.reject = threshold(*reject);
  if (out.defer && out.reject && *out.defer > *out.reject) {
    defer->fail("must not be above edge.inbound.score.reject");
  }
  return out;
}

InboundGreylist read_greylist(const yaml::Value& v) {
  auto m = v.map();
  auto enabled = m.get("enabled");
  auto delay = m.get("delay");
  auto retry_window = m.get("retry_window");
  auto expiry = m.get("expiry");
  auto pass_hosts = m.get("pass_hosts");
  auto pass_domains = m.get("pass_domains");
  m.finish();
  InboundGreylist out;
  if (enabled) out.enabled = enabled->boolean();
  if (delay) out.delay = delay->seconds(1s);
  if (retry_window) out.retry_window = retry_window->seconds(1s);
  if (expiry) out.expiry = expiry->seconds(1s);
  if (pass_hosts) out.pass_hosts = read_hosts(*pass_hosts);
  if (pass_domains) out.pass_domains = read_domains(*pass_domains);
  // The routers' limits (router/greylist/triplet.h): checked here so a reload refuses them.
  constexpr std::chrono::seconds kMax{366LL * 24 * 3600};
  if (out.delay >= out.retry_window) {
    (retry_window ? *retry_window : *delay).fail("greylist.delay must be below greylist.retry_window");
  }
  for (const auto& [value, secs] : {std::pair{delay, out.delay}, std::pair{retry_window, out.retry_window},
                                    std::pair{expiry, out.expiry}}) {
    if (value && secs > kMax) value->fail("must be at most 366d");
  }
  return out;
}

InboundPregreet read_pregreet(const yaml::Value& v) {
  auto m = v.map();
  auto greeting_delay = m.get("greeting_delay");
  auto reject_early_talkers = m.get("reject_early_talkers");
  m.finish();
  InboundPregreet out;
  if (greeting_delay) {
    out.greeting_delay = greeting_delay->duration(0ms);
    if (out.greeting_delay > 60s) greeting_delay->fail("must be at most 60s");
  }
  if (reject_early_talkers) out.reject_early_talkers = reject_early_talkers->boolean();
  return out;
}

RateLimit read_rate_limit(const yaml::Value& v) {
  auto m = v.map();
  auto count = m.get("count");
  auto window = m.get("window");
  m.finish();
  RateLimit out;
  if (count) out.count = static_cast<uint32_t>(count->integer(0, 100000000));
  if (window) out.window = window->seconds(1s);
  return out;
}

InboundRateLimits read_rate_limits(const yaml::Value& v) {
  auto m = v.map();
  auto per_ip = m.get("messages_per_ip");
  auto per_sender = m.get("messages_per_sender");
  m.finish();
  InboundRateLimits out;
  if (per_ip) out.messages_per_ip = read_rate_limit(*per_ip);
  if (per_sender) out.messages_per_sender = read_rate_limit(*per_sender);
  return out;
}

Inbound read_inbound(const yaml::Value& v) {
  auto m = v.map();
  auto spf = m.get("spf");
  auto dkim = m.get("dkim");
  auto dmarc = m.get("dmarc");
  auto trusted_networks = m.get("trusted_networks");
  auto relay = m.get("relay");
  auto connection = m.get("connection");
  auto sender = m.get("sender");
  auto recipients = m.get("recipients");
  auto dnsbl = m.get("dnsbl");
  auto score = m.get("score");
  auto greylist = m.get("greylist");
  auto pregreet = m.get("pregreet");
  auto rate_limits = m.get("rate_limits");
  m.finish();
  Inbound out;
  if (spf) out.spf = read_spf(*spf);
  if (dkim) out.dkim = read_dkim(*dkim);
  if (dmarc) out.dmarc = read_dmarc(*dmarc);
  if (trusted_networks) out.trusted_networks = read_cidrs(*trusted_networks);
  if (relay) out.relay = read_relay(*relay);
  if (connection) out.connection = read_connection(*connection);
  if (sender) out.sender = read_sender(*sender);
  if (recipients) out.recipients = read_recipients(*recipients);
  if (dnsbl) out.dnsbl = read_dnsbl(*dnsbl);
  if (score) out.score = read_score(*score);
  if (greylist) out.greylist = read_greylist(*greylist);
  if (pregreet) out.pregreet = read_pregreet(*pregreet);
  if (rate_limits) out.rate_limits = read_rate_limits(*rate_limits);
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
