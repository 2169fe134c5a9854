// One case per error class: the exact file, key path, reason and (where known) line.
#include <gtest/gtest.h>

#include "common/config/config.h"

namespace postern::config {
namespace {

constexpr const char* kHost = "internet: { hostname: mx.example.test }\n";
constexpr const char* kTlsFiles = "  tls: { cert: c.pem, key: k.pem }\n";

struct ErrorCase {
  const char* name;
  std::string yaml;
  std::string key;
  std::string reason;
  int line = 0;  // 0: not checked
};

std::string with_host(const std::string& rest) { return std::string(kHost) + rest; }

const std::vector<ErrorCase>& cases() {
  static const std::vector<ErrorCase> kCases = {
      // --- syntax and structure ---
      {"unknown_top_level_key", with_host("nodes: {}\n"), "nodes",
       "unknown key (known: node, internet, dns, edge, directory, router, cluster, admin, keystore)", 2},
      {"unknown_key_in_edge", with_host("edge:\n  listenrs: []\n"), "edge.listenrs",
       "unknown key (known: listeners, tls, limits, debug, drain_timeout, inbound)", 3},
      {"duplicate_key", with_host("node: { name: a, name: b }\n"), "node.name", "duplicate key", 2},
      {"wrong_type_list", with_host("edge: { listeners: mx }\n"), "edge.listeners",
       "expected a list, got a scalar", 2},
      {"wrong_type_map", with_host("edge: [1, 2]\n"), "edge", "expected a map, got a list", 2},
      {"wrong_type_scalar", with_host("node: { name: [a] }\n"), "node.name",
       "expected a single value, got a list", 2},
      {"empty_string", with_host("node: { data_dir: \"\" }\n"), "node.data_dir",
       "must not be empty", 2},
      {"top_level_not_a_map", "- a\n- b\n", "(top level)",
       "expected a map of sections (node, internet, ...)"},
      // --- not supported yet ---
      {"keystore_unknown_backend", with_host("keystore: { backend: vault }\n"),
       "keystore.backend", "must be one of rocksdb, etcd (got \"vault\")", 2},
      // --- keystore.etcd (kcluster) ---
      {"keystore_etcd_needs_etcd", with_host("keystore: { backend: etcd }\n"),
       "keystore.backend",
       "backend: etcd needs keystore.etcd.endpoints (the etcd client endpoints)", 2},
      {"keystore_etcd_needs_endpoints",
       with_host("keystore:\n  backend: etcd\n  etcd: { prefix: /p/ }\n"), "keystore.etcd",
       "keystore.etcd.endpoints is required: the etcd client endpoints (host:port, ...)", 4},
      {"keystore_etcd_empty_endpoints",
       with_host("keystore:\n  backend: etcd\n  etcd: { endpoints: [] }\n"),
       "keystore.etcd.endpoints",
       "keystore.etcd.endpoints is required: the etcd client endpoints (host:port, ...)", 4},
      {"keystore_etcd_endpoint_without_port",
       with_host("keystore:\n  backend: etcd\n  etcd: { endpoints: [etcd-0] }\n"),
       "keystore.etcd.endpoints[0]",
       "missing port in \"etcd-0\" (expected host:port, e.g. 127.0.0.1:25)", 4},
      {"keystore_etcd_duplicate_endpoint",
       with_host("keystore:\n  backend: etcd\n  etcd:\n"
                 "    endpoints: [\"e:2379\", \"E:2379\"]\n"),
       "keystore.etcd.endpoints[1]", "duplicate endpoint \"e:2379\"", 5},
      {"keystore_etcd_prefix_without_slash",
       with_host("keystore:\n  backend: etcd\n"
                 "  etcd: { endpoints: [\"e:2379\"], prefix: /p }\n"),
       "keystore.etcd.prefix", "must end with \"/\"", 4},
      {"keystore_etcd_prefix_with_space",
       with_host("keystore:\n  backend: etcd\n"
                 "  etcd: { endpoints: [\"e:2379\"], prefix: \"/a b/\" }\n"),
       "keystore.etcd.prefix", "printable ASCII without spaces", 4},
      {"keystore_etcd_timeout_too_short",
       with_host("keystore:\n  backend: etcd\n"
                 "  etcd: { endpoints: [\"e:2379\"], timeout: 10ms }\n"),
       "keystore.etcd.timeout", "must be at least 100ms", 4},
      {"keystore_etcd_unknown_key",
       with_host("keystore:\n  backend: etcd\n"
                 "  etcd: { endpoints: [\"e:2379\"], user: root }\n"),
       "keystore.etcd.user", "unknown key (known: endpoints, prefix, timeout, tls)", 4},
      {"keystore_etcd_tls_needs_ca",
       with_host("keystore:\n  backend: etcd\n"
                 "  etcd: { endpoints: [\"e:2379\"], tls: { cert: c.pem, key: k.pem } }\n"),
       "keystore.etcd.tls", "needs ca (the CA that issued the etcd members' certificates)", 4},
      {"keystore_etcd_tls_cert_without_key",
       with_host("keystore:\n  backend: etcd\n"
                 "  etcd: { endpoints: [\"e:2379\"], tls: { ca: ca.pem, cert: c.pem } }\n"),
       "keystore.etcd.tls",
       "cert and key go together (the client certificate etcd's --client-cert-auth checks)", 4},
      {"keystore_etcd_with_rocksdb",
       with_host("keystore:\n  etcd: { endpoints: [\"e:2379\"] }\n"), "keystore.etcd",
       "only used with backend: etcd (the backend is rocksdb; remove it or set "
       "keystore.backend: etcd)", 3},
      {"router_dkim_signing_needs_keys", with_host("router:\n  dkim: { signing: true }\n"),
       "router.dkim.signing", "signing: true needs router.dkim.keys (domain: [selectors])", 3},
      {"router_dkim_bad_selector",
       with_host("router:\n  dkim: { keys: { example.com: [\"sel_1\"] } }\n"),
       "router.dkim.keys.example.com[0]",
       "not a DKIM selector \"sel_1\" (letters, digits, '-' and '.')", 3},
      {"router_dkim_duplicate_selector",
       with_host("router:\n  dkim: { keys: { example.com: [a, a] } }\n"),
       "router.dkim.keys.example.com[1]", "duplicate selector \"a\"", 3},
      {"router_dkim_empty_selectors", with_host("router:\n  dkim: { keys: { example.com: [] } }\n"),
       "router.dkim.keys.example.com", "must list at least one selector", 3},
      {"router_dkim_bad_canonicalization",
       with_host("router:\n  dkim: { canonicalization: relaxed/loose }\n"),
       "router.dkim.canonicalization",
       "must be relaxed/relaxed, relaxed/simple, simple/relaxed or simple/simple (got "
       "\"relaxed/loose\")",
       3},
      {"router_dkim_headers_without_from",
       with_host("router:\n  dkim: { headers: [To, Subject] }\n"), "router.dkim.headers",
       "must include From (RFC 6376 5.4)", 3},
      {"router_dkim_bad_header_name", with_host("router:\n  dkim: { headers: [From, \"X:Y\"] }\n"),
       "router.dkim.headers[1]", "not a header field name \"X:Y\"", 3},
      {"edge_inbound_dnsbl_action",
       with_host("edge:\n  inbound: { dnsbl: { zones: [ { zone: bl.example, action: block } ] } }\n"),
       "edge.inbound.dnsbl.zones[0].action", "must be one of log, tag, reject (got \"block\")", 3},
      {"relay_credentials_with_password",
       with_host("router:\n  destinations:\n    isp:\n      smtp:\n        mode: relay\n"
                 "        relay: { hosts: [\"mail.isp:587\"], auth: required, "
                 "credentials: relay-delta, password: p }\n"),
       "router.destinations.isp.smtp.relay.credentials",
       "names a keystore secret; remove username and password (the secret holds both)", 7},
      // --- values ---
      {"enum_typo",
       with_host("edge:\n  listeners:\n    - { name: mx, address: \"127.0.0.1:2525\" }\n"
                 "    - { name: sub, address: \"127.0.0.1:2587\", tls: startls }\n") +
           kTlsFiles,
       "edge.listeners[1].tls", "must be one of none, starttls, implicit (got \"startls\")", 5},
      {"port_out_of_range",
       with_host("router:\n  destinations:\n    mailstore:\n      smtp:\n        mode: relay\n"
                 "        relay: { hosts: [\"mailstore.internal:99999\"] }\n"),
       "router.destinations.mailstore.smtp.relay.hosts[0]", "port 99999 out of range (1-65535)",
       7},
      {"ipv6_without_brackets", with_host("router: { listen: \"::1:7001\" }\n"), "router.listen",
       "an IPv6 address needs brackets, e.g. [::1]:25 (got \"::1:7001\")", 2},
      {"bad_duration", with_host("edge: { drain_timeout: 5 minutes }\n"), "edge.drain_timeout",
       "expected a duration like 30s, 5m, 1h, 5d or a number of seconds (got \"5 minutes\")", 2},
      {"subsecond_not_allowed", with_host("edge: { limits: { idle_timeout: 1500ms } }\n"),
       "edge.limits.idle_timeout", "must be whole seconds (got \"1500ms\")", 2},
      {"bad_size", with_host("edge: { limits: { max_message_bytes: 25MB } }\n"),
       "edge.limits.max_message_bytes",
       "expected a size in bytes, optionally with K, M, G, KiB, MiB or GiB (got \"25MB\")", 2},
      {"size_out_of_range", with_host("edge: { limits: { max_message_bytes: 2G } }\n"),
       "edge.limits.max_message_bytes",
       "must be between 1024 and 1073741824 bytes (got \"2G\")", 2},
      {"not_a_number", with_host("edge: { limits: { max_recipients: lots } }\n"),
       "edge.limits.max_recipients", "expected a whole number (got \"lots\")", 2},
      {"number_out_of_range", with_host("edge: { limits: { max_recipients: 0 } }\n"),
       "edge.limits.max_recipients", "must be between 1 and 100000 (got 0)", 2},
      {"not_a_bool",
       with_host("router:\n  destinations:\n    out: { smtp: { fallback_plain: maybe } }\n"),
       "router.destinations.out.smtp.fallback_plain", "expected true or false (got \"maybe\")", 4},
      {"debug_smtp_range", with_host("edge: { debug: { smtp: 5 } }\n"), "edge.debug.smtp",
       "must be between 0 and 4 (got 5)", 2},
      {"debug_io_two", with_host("edge: { debug: { io: 2 } }\n"), "edge.debug.io",
       "must be 0, 1, 3 or 4 (got 2)", 2},
      {"bad_domain", "internet: { hostname: mx.example.test, local_domains: [\"a..b\"] }\n",
       "internet.local_domains[0]", "empty label in domain \"a..b\"", 1},
      {"duplicate_local_domain",
       "internet: { hostname: mx.example.test, local_domains: [a.test, A.test.] }\n",
       "internet.local_domains[1]", "duplicate domain \"a.test\"", 1},
      {"password_not_argon2id",
       with_host("directory:\n  users:\n    - { name: bob, password: hunter2 }\n"),
       "directory.users[0].password",
       "must be an Argon2id hash ($argon2id$...), not a clear-text password; create one with "
       "\"postern hash-password\"",
       4},
      {"duplicate_user_address",
       with_host("directory:\n  users:\n    - { name: a, addresses: [x@a.test] }\n"
                 "    - { name: b, addresses: [X@A.test] }\n"),
       "directory.users[1].addresses[0]", "address \"X@a.test\" belongs to more than one user"},
      {"bad_address", with_host("directory: { users: [ { name: a, addresses: [nobody] } ] }\n"),
       "directory.users[0].addresses[0]", "expected an address local@domain (got \"nobody\")", 2},
      {"required_key", with_host("edge:\n  listeners:\n    - { name: mx }\n"),
       "edge.listeners[0].address", "required", 4},
      {"retry_schedule_empty", with_host("router: { retry: { schedule: [] } }\n"),
       "router.retry.schedule", "must list at least one delay", 2},
      {"retry_delay_zero", with_host("router: { retry: { schedule: [5m, 0s] } }\n"),
       "router.retry.schedule[1]", "must be at least 1s (got \"0s\")", 2},
      {"bad_destination_name",
       with_host("router:\n  destinations:\n    \"my dest\": { maildir: { path: m } }\n"),
       "router.destinations.my dest", "destination names use letters, digits, '_' and '-'", 4},
      // --- combinations ---
      {"hostname_required", "node: { name: a }\n", "internet.hostname",
       "required (the host name in the SMTP banner, EHLO and Received headers)"},
      {"starttls_needs_edge_tls",
       with_host("edge:\n  listeners:\n    - { name: mx, address: \"127.0.0.1:2525\", "
                 "tls: starttls }\n"),
       "edge.listeners[0].tls", "starttls needs edge.tls (cert and key)", 4},
      {"auth_needs_tls",
       with_host("edge:\n  listeners:\n    - { name: sub, address: \"127.0.0.1:2587\", "
                 "auth: required }\n") +
           kTlsFiles,
       "edge.listeners[0].auth",
       "AUTH is offered only over TLS: needs tls: starttls or implicit on this listener", 4},
      {"duplicate_listener_name",
       with_host("edge:\n  listeners:\n    - { name: mx, address: \"127.0.0.1:2525\" }\n"
                 "    - { name: mx, address: \"127.0.0.1:2526\" }\n"),
       "edge.listeners[1].name", "duplicate listener name \"mx\"", 5},
      {"duplicate_listener_address",
       with_host("edge:\n  listeners:\n    - { name: a, address: \"127.0.0.1:2525\" }\n"
                 "    - { name: b, address: \"127.0.0.1:2525\" }\n"),
       "edge.listeners[1].address", "address 127.0.0.1:2525 is used twice", 5},
      {"route_to_unknown_destination",
       with_host("router:\n  routes:\n    - { domains: [\"*\"], to: internet }\n"
                 "  destinations:\n    demo: { maildir: { path: m } }\n"),
       "router.routes[0].to", "unknown destination \"internet\" (known: demo)", 4},
      {"route_after_catch_all",
       with_host("router:\n  routes:\n    - { domains: [\"*\"], to: demo }\n"
                 "    - { domains: [a.test], to: demo }\n"
                 "  destinations:\n    demo: { maildir: { path: m } }\n"),
       "router.routes[1]",
       "unreachable: router.routes[0] matches every domain first (\"*\" belongs in the last "
       "route)",
       5},
      {"local_domain_without_route",
       "internet: { hostname: mx.example.test, local_domains: [example.test, other.test] }\n"
       "router:\n  routes:\n    - { domains: [example.test], to: demo }\n"
       "  destinations:\n    demo: { maildir: { path: m } }\n",
       "internet.local_domains[1]",
       "no router.routes entry matches \"other.test\" (its mail would have nowhere to go)", 1},
      {"destination_both_kinds",
       with_host("router:\n  destinations:\n    d:\n      smtp: {}\n      maildir: { path: m }\n"),
       "router.destinations.d", "needs exactly one of smtp, maildir", 4},
      {"destination_no_kind",
       with_host("router:\n  destinations:\n    d: { served_by: [\"*\"] }\n"),
       "router.destinations.d", "needs exactly one of smtp, maildir", 4},
      {"relay_needs_relay_block",
       with_host("router:\n  destinations:\n    d: { smtp: { mode: relay } }\n"),
       "router.destinations.d.smtp", "mode: relay needs a relay block (relay: { hosts: [...] })",
       4},
      {"relay_needs_hosts",
       with_host("router:\n  destinations:\n    d: { smtp: { mode: relay, relay: { tls: none } } }\n"),
       "router.destinations.d.smtp.relay.hosts", "required", 4},
      {"relay_hosts_empty",
       with_host("router:\n  destinations:\n    d: { smtp: { mode: relay, relay: { hosts: [] } } }\n"),
       "router.destinations.d.smtp.relay.hosts", "must list at least one relay host", 4},
      {"relay_auth_needs_credentials",
       with_host("router:\n  destinations:\n    d:\n      smtp:\n        mode: relay\n"
                 "        relay: { hosts: [r.test], auth: required, username: u }\n"),
       "router.destinations.d.smtp.relay.auth",
       "auth: required needs credentials (a keystore secret) or username and password", 7},
      {"relay_auth_needs_tls",
       with_host("router:\n  destinations:\n    d:\n      smtp:\n        mode: relay\n"
                 "        relay: { hosts: [r.test], tls: none, auth: enabled, username: u, "
                 "password: p }\n"),
       "router.destinations.d.smtp.relay.auth",
       "needs tls: starttls or implicit (a relay password is never sent in clear)", 7},
      {"relay_credentials_unused",
       with_host("router:\n  destinations:\n    d:\n      smtp:\n        mode: relay\n"
                 "        relay: { hosts: [r.test], username: u, password: p }\n"),
       "router.destinations.d.smtp.relay.username",
       "set, but auth is disabled (set auth: required or enabled, or remove it)", 7},
      {"direct_only_key_in_relay_mode",
       with_host("router:\n  destinations:\n    d:\n      smtp:\n        mode: relay\n"
                 "        port: 587\n        relay: { hosts: [r.test] }\n"),
       "router.destinations.d.smtp.port",
       "only used with mode: direct (a relay's port and TLS are set in relay.hosts and "
       "relay.tls)",
       7},
      {"relay_block_in_direct_mode",
       with_host("router:\n  destinations:\n    d:\n      smtp:\n"
                 "        relay: { hosts: [r.test] }\n"),
       "router.destinations.d.smtp.relay", "only used with mode: relay", 6},
      {"served_by_unknown_node",
       with_host("router:\n  destinations:\n    d:\n      served_by: [hermes]\n"
                 "      maildir: { path: m }\n"),
       "router.destinations.d.served_by[0]",
       "unknown node \"hermes\" (expected node.name or a key of cluster.nodes)", 5},
      {"served_by_star_not_alone",
       with_host("node: { name: a }\nrouter:\n  destinations:\n    d:\n"
                 "      served_by: [a, \"*\"]\n      maildir: { path: m }\n"),
       "router.destinations.d.served_by[1]", "\"*\" must be the only entry", 6},
  };
  return kCases;
}

TEST(ConfigErrors, EachClassNamesFileKeyAndReason) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    try {
      parse_config(c.yaml, "postern.yaml");
      ADD_FAILURE() << c.name << ": accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.file(), "postern.yaml");
      EXPECT_EQ(e.key(), c.key);
      EXPECT_EQ(e.reason(), c.reason);
      if (c.line) {
        EXPECT_EQ(e.line(), c.line) << e.what();
      }
    }
  }
}

TEST(ConfigErrors, WhatIsFileKeyReasonThenPosition) {
  try {
    parse_config(with_host("edge:\n  listenrs: []\n"), "postern.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "postern.yaml: edge.listenrs: unknown key (known: listeners, tls, limits, debug, "
                 "drain_timeout, inbound) (line 3, column 3)");
  }
}

TEST(ConfigErrors, SyntaxErrorHasLineAndColumn) {
  try {
    parse_config(with_host("edge:\n  listeners: [\n    { name: mx\n"), "postern.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "");
    EXPECT_TRUE(e.reason().starts_with("YAML syntax error: ")) << e.reason();
    EXPECT_GT(e.line(), 1);
    EXPECT_GT(e.column(), 0);
    EXPECT_TRUE(std::string(e.what()).starts_with("postern.yaml: YAML syntax error: "))
        << e.what();
  }
}

TEST(ConfigErrors, PasswordValueIsNeverEchoed) {
  try {
    parse_config(with_host("directory: { users: [ { name: a, password: S3cretValue } ] }\n"),
                 "postern.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).find("S3cretValue"), std::string::npos) << e.what();
  }
}

TEST(ConfigErrors, RouteMatchesFollowConfigContract) {
  // "*.example.test" covers subdomains only: the bare domain is still unrouted.
  try {
    parse_config("internet: { hostname: mx.example.test, local_domains: [example.test] }\n"
                 "router:\n  routes: [ { domains: [\"*.example.test\"], to: d } ]\n"
                 "  destinations: { d: { maildir: { path: m } } }\n",
                 "postern.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "internet.local_domains[0]");
  }
  EXPECT_NO_THROW(parse_config(
      "internet: { hostname: mx.example.test, local_domains: [a.example.test] }\n"
      "router:\n  routes: [ { domains: [\"*.example.test\"], to: d } ]\n"
      "  destinations: { d: { maildir: { path: m } } }\n",
      "postern.yaml"));
}

}  // namespace
}  // namespace postern::config
