// edge.inbound: sender-authentication keys, their defaults, and their errors (file, key
// path, reason, line). CIDR parsing is table-tested on its own.
#include <gtest/gtest.h>

#include "common/config/cidr.h"
#include "common/config/config.h"

namespace postern::config {
namespace {

constexpr const char* kHost = "internet: { hostname: mx.example.test }\n";

Config parse(const std::string& edge) { return parse_config(std::string(kHost) + edge, "p.yaml"); }

TEST(InboundConfig, DefaultsTagEverythingAndRejectNothing) {
  const Config c = parse("");
  const Inbound& in = c.edge.inbound;
  EXPECT_TRUE(in.spf.enabled);
  EXPECT_EQ(in.spf.on_fail, AuthAction::tag);
  EXPECT_EQ(in.spf.on_softfail, AuthAction::tag);
  EXPECT_EQ(in.spf.on_temperror, TempAction::tag);
  EXPECT_TRUE(in.spf.check_helo);
  EXPECT_TRUE(in.spf.skip_hosts.empty());
  EXPECT_TRUE(in.dkim.enabled);
  EXPECT_EQ(in.dkim.on_fail, AuthAction::tag);
  EXPECT_EQ(in.dkim.on_temperror, TempAction::tag);
  EXPECT_TRUE(in.dmarc.enabled);
  EXPECT_FALSE(in.dmarc.enforce);
  EXPECT_EQ(in.dmarc.org_domain, OrgDomainMethod::psl);
  EXPECT_EQ(in.dmarc.on_quarantine, QuarantineAction::tag);
  EXPECT_EQ(in.dmarc.on_temperror, DmarcTempAction::none);
  ASSERT_EQ(in.trusted_networks.size(), 2u);
  EXPECT_EQ(in.trusted_networks[0].to_string(), "127.0.0.0/8");
  EXPECT_EQ(in.trusted_networks[1].to_string(), "::1/128");
}

TEST(InboundConfig, EveryKeyIsRead) {
  const Config c = parse(R"(edge:
  inbound:
    spf: { enabled: true, on_fail: reject, on_softfail: none, on_temperror: defer,
           check_helo: false, skip_hosts: ["192.0.2.0/24", "2001:db8::/32"] }
    dkim: { enabled: false, on_fail: reject, on_temperror: none, skip_hosts: [198.51.100.7] }
    dmarc: { enabled: true, enforce: true, org_domain: tree_walk, on_quarantine: none,
             on_temperror: defer, skip_hosts: [] }
    trusted_networks: ["10.0.0.0/8"]
)");
  const Inbound& in = c.edge.inbound;
  EXPECT_EQ(in.spf.on_fail, AuthAction::reject);
  EXPECT_EQ(in.spf.on_softfail, AuthAction::none);
  EXPECT_EQ(in.spf.on_temperror, TempAction::defer);
  EXPECT_FALSE(in.spf.check_helo);
  ASSERT_EQ(in.spf.skip_hosts.size(), 2u);
  EXPECT_EQ(in.spf.skip_hosts[1].to_string(), "2001:db8::/32");
  EXPECT_FALSE(in.dkim.enabled);
  EXPECT_EQ(in.dkim.on_fail, AuthAction::reject);
  EXPECT_EQ(in.dkim.on_temperror, TempAction::none);
  EXPECT_EQ(in.dkim.skip_hosts.at(0).to_string(), "198.51.100.7/32");
  EXPECT_TRUE(in.dmarc.enforce);
  EXPECT_EQ(in.dmarc.org_domain, OrgDomainMethod::tree_walk);
  EXPECT_EQ(in.dmarc.on_quarantine, QuarantineAction::none);
  EXPECT_EQ(in.dmarc.on_temperror, DmarcTempAction::defer);
  ASSERT_EQ(in.trusted_networks.size(), 1u);
  EXPECT_EQ(in.trusted_networks[0].to_string(), "10.0.0.0/8");
}

TEST(InboundConfig, ControlDefaultsKeepTodaysBehaviour) {
  const Inbound in = parse("").edge.inbound;
  EXPECT_EQ(in.relay.enforce, RelayEnforce::all);
  EXPECT_TRUE(in.relay.authenticated_may_relay);
  EXPECT_TRUE(in.relay.allow_domains.empty());
  EXPECT_TRUE(in.relay.allow_hosts.empty());
  EXPECT_TRUE(in.connection.deny_hosts.empty());
  EXPECT_FALSE(in.connection.verify_hostname);
  EXPECT_EQ(in.connection.max_per_ip, 0u);
  EXPECT_EQ(in.connection.rate_per_ip, 0u);
  EXPECT_FALSE(in.sender.verify_domain);
  EXPECT_FALSE(in.recipients.verify_local);
  EXPECT_FALSE(in.recipients.deny_groups);
  EXPECT_TRUE(in.dnsbl.zones.empty());
  EXPECT_TRUE(in.dnsbl.allow_zones.empty());
  EXPECT_FALSE(in.score.tag);
  EXPECT_FALSE(in.score.defer);
  EXPECT_FALSE(in.score.reject);
  EXPECT_FALSE(in.greylist.enabled);
  EXPECT_EQ(in.greylist.delay, std::chrono::seconds(300));
  EXPECT_EQ(in.pregreet.greeting_delay, std::chrono::milliseconds(0));
  EXPECT_EQ(in.rate_limits.messages_per_ip.count, 0u);
}

TEST(InboundConfig, EveryControlKeyIsRead) {
  const Inbound in = parse(R"YAML(edge:
  inbound:
    relay:
      allow_domains: [partner.example, "*.Friends.Example."]
      deny_domains: [bad.example]
      allow_hosts: ["198.51.100.0/24", relay.partner.example]
      deny_hosts: ["*.dynamic.example"]
      enforce: external
      exclude_hosts: ["2001:db8::/32"]
      authenticated_may_relay: false
    connection:
      allow_hosts: [192.0.2.10]
      deny_hosts: ["203.0.113.0/24", "*.spam.example"]
      verify_hostname: true
      max_per_ip: 5
      rate_per_ip: 30
      rate_window: 2m
    sender: { verify_domain: true }
    recipients: { verify_local: true, deny_groups: true }
    dnsbl:
      zones:
        - { zone: ZEN.Spamhaus.org., codes: ["127.0.0.2-127.0.0.11", "mask:0.0.0.4"], action: reject,
            weight: 7.5, reply: "%s is listed at %s, see https://www.spamhaus.org" }
        - { zone: bl.example }
      allow_zones: [ { zone: list.dnswl.org, codes: [127.0.10.0/24], weight: -4 } ]
      allow_skips_zones: false
      reply: "Go away: %s (%s)"
    score:
      weights: { no_ptr: 2, authenticated: -20 }
      tag: 3
      defer: 6
      reject: "off"
    greylist:
      enabled: true
      delay: 1m
      retry_window: 1d
      expiry: 30d
      pass_hosts: [192.0.2.0/24]
      pass_domains: [bank.example]
    pregreet: { greeting_delay: 1500ms, reject_early_talkers: true }
    rate_limits:
      messages_per_ip: { count: 100, window: 1h }
      messages_per_sender: { count: 500, window: 1d }
)YAML").edge.inbound;
  EXPECT_EQ(in.relay.allow_domains, (std::vector<std::string>{"partner.example", "*.friends.example"}));
  EXPECT_EQ(in.relay.deny_domains.at(0), "bad.example");
  EXPECT_EQ(in.relay.allow_hosts.networks.at(0).to_string(), "198.51.100.0/24");
  EXPECT_EQ(in.relay.allow_hosts.names.at(0), "relay.partner.example");
  EXPECT_EQ(in.relay.deny_hosts.names.at(0), "*.dynamic.example");
  EXPECT_EQ(in.relay.enforce, RelayEnforce::external);
  EXPECT_EQ(in.relay.exclude_hosts.networks.at(0).to_string(), "2001:db8::/32");
  EXPECT_FALSE(in.relay.authenticated_may_relay);
  EXPECT_EQ(in.connection.allow_hosts.networks.at(0).to_string(), "192.0.2.10/32");
  EXPECT_EQ(in.connection.deny_hosts.names.at(0), "*.spam.example");
  EXPECT_TRUE(in.connection.verify_hostname);
  EXPECT_EQ(in.connection.max_per_ip, 5u);
  EXPECT_EQ(in.connection.rate_per_ip, 30u);
  EXPECT_EQ(in.connection.rate_window, std::chrono::seconds(120));
  EXPECT_TRUE(in.sender.verify_domain);
  EXPECT_TRUE(in.recipients.verify_local);
  EXPECT_TRUE(in.recipients.deny_groups);
  ASSERT_EQ(in.dnsbl.zones.size(), 2u);
  EXPECT_EQ(in.dnsbl.zones[0].zone, "zen.spamhaus.org");
  EXPECT_EQ(in.dnsbl.zones[0].codes.size(), 2u);
  EXPECT_EQ(in.dnsbl.zones[0].action, DnsblAction::reject);
  EXPECT_EQ(in.dnsbl.zones[0].weight, 7.5);
  EXPECT_EQ(in.dnsbl.zones[1].action, DnsblAction::tag);
  EXPECT_EQ(in.dnsbl.zones[1].weight, 5.0);
  EXPECT_EQ(in.dnsbl.allow_zones.at(0).weight, -4.0);
  EXPECT_FALSE(in.dnsbl.allow_skips_zones);
  EXPECT_EQ(in.dnsbl.reply, "Go away: %s (%s)");
  EXPECT_EQ(in.score.weights.at("no_ptr"), 2.0);
  EXPECT_EQ(in.score.weights.at("authenticated"), -20.0);
  EXPECT_EQ(in.score.weights.at("early_talker"), 3.0);  // untouched defaults stay
  EXPECT_EQ(in.score.tag, 3.0);
  EXPECT_EQ(in.score.defer, 6.0);
  EXPECT_FALSE(in.score.reject);
  EXPECT_TRUE(in.greylist.enabled);
  EXPECT_EQ(in.greylist.delay, std::chrono::seconds(60));
  EXPECT_EQ(in.greylist.retry_window, std::chrono::seconds(86400));
  EXPECT_EQ(in.greylist.expiry, std::chrono::seconds(30 * 86400));
  EXPECT_EQ(in.greylist.pass_domains.at(0), "bank.example");
  EXPECT_EQ(in.pregreet.greeting_delay, std::chrono::milliseconds(1500));
  EXPECT_TRUE(in.pregreet.reject_early_talkers);
  EXPECT_EQ(in.rate_limits.messages_per_ip.count, 100u);
  EXPECT_EQ(in.rate_limits.messages_per_sender.window, std::chrono::seconds(86400));
}

TEST(InboundConfig, EmptyTrustedNetworksTrustsNobody) {
  const Config c = parse("edge: { inbound: { trusted_networks: [] } }\n");
  EXPECT_TRUE(c.edge.inbound.trusted_networks.empty());
}

struct ErrorCase {
  const char* name;
  std::string yaml;
  std::string key;
  std::string reason;
  int line;
};

TEST(InboundConfig, ErrorsNameKeyReasonAndLine) {
  const std::vector<ErrorCase> cases = {
      {"bad_cidr", "edge:\n  inbound:\n    trusted_networks: [\"10.0.0.0/33\"]\n",
       "edge.inbound.trusted_networks[0]", "prefix length must be 0-32 (got \"10.0.0.0/33\")", 4},
      {"host_bits", "edge:\n  inbound:\n    spf: { skip_hosts: [\"192.0.2.1/24\"] }\n",
       "edge.inbound.spf.skip_hosts[0]",
       "host bits set below the prefix (did you mean 192.0.2.0/24?) (got \"192.0.2.1/24\")", 4},
      {"name_not_address", "edge: { inbound: { dkim: { skip_hosts: [mail.example.com] } } }\n",
       "edge.inbound.dkim.skip_hosts[0]",
       "not an IP address or CIDR block (expected e.g. 192.0.2.0/24 or 2001:db8::/32) (got "
       "\"mail.example.com\")",
       2},
      {"spf_action", "edge: { inbound: { spf: { on_fail: drop } } }\n", "edge.inbound.spf.on_fail",
       "must be one of none, tag, reject (got \"drop\")", 2},
      {"spf_temp_reject", "edge: { inbound: { spf: { on_temperror: reject } } }\n",
       "edge.inbound.spf.on_temperror", "must be one of none, tag, defer (got \"reject\")", 2},
      {"dmarc_temp_tag", "edge: { inbound: { dmarc: { on_temperror: tag } } }\n",
       "edge.inbound.dmarc.on_temperror", "must be one of none, defer (got \"tag\")", 2},
      {"dmarc_org", "edge: { inbound: { dmarc: { org_domain: dns } } }\n",
       "edge.inbound.dmarc.org_domain", "must be one of psl, tree_walk (got \"dns\")", 2},
      {"enforce_bool", "edge: { inbound: { dmarc: { enforce: sometimes } } }\n",
       "edge.inbound.dmarc.enforce", "expected true or false (got \"sometimes\")", 2},
      {"unknown_spf_key", "edge: { inbound: { spf: { on_pass: tag } } }\n",
       "edge.inbound.spf.on_pass",
       "unknown key (known: enabled, on_fail, on_softfail, on_temperror, check_helo, skip_hosts)",
       2},
      // Inbound controls (issue 5).
      {"relay_bad_cidr", "edge: { inbound: { relay: { allow_hosts: [192.0.2.1/24] } } }\n",
       "edge.inbound.relay.allow_hosts[0]",
       "host bits set below the prefix (did you mean 192.0.2.0/24?) (got \"192.0.2.1/24\")", 2},
      {"relay_open", "edge: { inbound: { relay: { enforce: none } } }\n",
       "edge.inbound.relay.enforce",
       "none makes an open relay; set allow_open_relay: true if that is meant", 2},
      {"relay_enforce_word", "edge: { inbound: { relay: { enforce: some } } }\n",
       "edge.inbound.relay.enforce", "must be one of all, external, none (got \"some\")", 2},
      {"connection_star_host", "edge: { inbound: { connection: { deny_hosts: [\"*\"] } } }\n",
       "edge.inbound.connection.deny_hosts[0]",
       "\"*\" is not a host; use 0.0.0.0/0 and ::/0 for every client", 2},
      {"dnsbl_bad_code",
       "edge: { inbound: { dnsbl: { zones: [ { zone: bl.example, codes: [10.0.0.2] } ] } } }\n",
       "edge.inbound.dnsbl.zones[0].codes[0]",
       "must be a 127.0.0.0/8 code: \"127.0.0.2\", \"127.0.0.4/30\", \"127.0.0.2-127.0.0.11\" or "
       "\"mask:0.0.0.4\" (got \"10.0.0.2\")",
       2},
      {"dnsbl_action", "edge: { inbound: { dnsbl: { zones: [ { zone: bl.example, action: drop } ] } } }\n",
       "edge.inbound.dnsbl.zones[0].action", "must be one of log, tag, reject (got \"drop\")", 2},
      {"dnswl_no_action",
       "edge: { inbound: { dnsbl: { allow_zones: [ { zone: wl.example, action: tag } ] } } }\n",
       "edge.inbound.dnsbl.allow_zones[0].action", "unknown key (known: zone, codes, weight)", 2},
      {"score_unknown_fact", "edge: { inbound: { score: { weights: { no_rdns: 2 } } } }\n",
       "edge.inbound.score.weights.no_rdns", "", 2},
      {"score_weight_word", "edge: { inbound: { score: { weights: { no_ptr: high } } } }\n",
       "edge.inbound.score.weights.no_ptr",
       "must be a number between -1000000 and 1000000 (got \"high\")", 2},
      {"score_defer_above_reject", "edge: { inbound: { score: { defer: 9, reject: 5 } } }\n",
       "edge.inbound.score.defer", "must not be above edge.inbound.score.reject", 2},
      {"greylist_delay_window", "edge: { inbound: { greylist: { delay: 2h, retry_window: 1h } } }\n",
       "edge.inbound.greylist.retry_window", "greylist.delay must be below greylist.retry_window", 2},
      {"pregreet_too_long", "edge: { inbound: { pregreet: { greeting_delay: 2m } } }\n",
       "edge.inbound.pregreet.greeting_delay", "must be at most 60s", 2},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    try {
      parse(c.yaml);
      ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.file(), "p.yaml");
      EXPECT_EQ(e.key(), c.key);
      if (!c.reason.empty()) {
        EXPECT_EQ(e.reason(), c.reason);
      }
      EXPECT_EQ(e.line(), c.line) << e.what();
    }
  }
}

struct CidrCase {
  std::string text;
  std::string canonical;  // "" = invalid
};

TEST(Cidr, ParseTable) {
  const std::vector<CidrCase> cases = {
      {"192.0.2.0/24", "192.0.2.0/24"},
      {"192.0.2.7", "192.0.2.7/32"},
      {"0.0.0.0/0", "0.0.0.0/0"},
      {"2001:db8::/32", "2001:db8::/32"},
      {"::1", "::1/128"},
      {"::ffff:192.0.2.0/24", "192.0.2.0/24"},  // IPv4-mapped folds to IPv4
      {"192.0.2.0/", ""},
      {"192.0.2.0/2x", ""},
      {"192.0.2.0/0024", ""},
      {"192.0.2.0/33", ""},
      {"2001:db8::/129", ""},
      {"192.0.2.128/24", ""},
      {"", ""},
      {"example.com", ""},
      {"192.0.2.0 /24", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const CidrParse p = parse_cidr(c.text);
    if (c.canonical.empty()) {
      EXPECT_FALSE(p.cidr.has_value());
      EXPECT_FALSE(p.error.empty());
    } else {
      ASSERT_TRUE(p.cidr.has_value()) << p.error;
      EXPECT_EQ(p.cidr->to_string(), c.canonical);
    }
  }
}

TEST(Cidr, Contains) {
  const Cidr v4 = *parse_cidr("192.0.2.0/25").cidr;
  EXPECT_TRUE(cidr_contains(v4, "192.0.2.0"));
  EXPECT_TRUE(cidr_contains(v4, "192.0.2.127"));
  EXPECT_FALSE(cidr_contains(v4, "192.0.2.128"));
  EXPECT_TRUE(cidr_contains(v4, "::ffff:192.0.2.5")) << "IPv4-mapped client";
  EXPECT_FALSE(cidr_contains(v4, "2001:db8::1"));
  EXPECT_FALSE(cidr_contains(v4, "not an address"));
  const Cidr v6 = *parse_cidr("2001:db8:8000::/33").cidr;
  EXPECT_TRUE(cidr_contains(v6, "2001:db8:ffff::1"));
  EXPECT_FALSE(cidr_contains(v6, "2001:db8:7fff::1"));
  const Cidr all = *parse_cidr("0.0.0.0/0").cidr;
  EXPECT_TRUE(cidr_contains(all, "203.0.113.9"));
  EXPECT_TRUE(any_contains(Inbound::default_trusted_networks(), "127.0.0.1"));
  EXPECT_TRUE(any_contains(Inbound::default_trusted_networks(), "::1"));
  EXPECT_FALSE(any_contains(Inbound::default_trusted_networks(), "192.0.2.1"));
}

}  // namespace
}  // namespace postern::config
