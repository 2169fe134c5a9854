// A full valid postern.yaml, every default, and the shipped example.
#include <gtest/gtest.h>

#include "common/config/config.h"

namespace postern::config {
namespace {

using namespace std::chrono_literals;

constexpr const char* kHash = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub";

const std::string kFull = std::string(R"(
node:     { name: demeter, data_dir: /srv/postern }
internet: { hostname: Mail.MartDJ.nl., local_domains: [MartDJ.nl, example.test.] }
dns:      { servers: ["127.0.0.1:5353", "[::1]", "resolver.internal"], timeout: 1500ms, tries: 3 }
edge:
  listeners:
    - { name: mx,          address: "127.0.0.1:2525", tls: starttls }
    - { name: submission,  address: "127.0.0.1:2587", tls: starttls, auth: required }
    - { name: submissions, address: "[::1]:2465", tls: implicit, auth: optional }
    - { name: plain,       address: "127.0.0.1:2526" }
  tls: { cert: certs/server.pem, key: certs/server.key }
  limits: { max_message_bytes: 10M, max_recipients: 50, error_limit: 5, max_connections: 200,
            idle_timeout: 2m, data_timeout: 15m }
  debug: { smtp: 4, io: 3 }
  drain_timeout: 10s
directory:
  users:
    - { name: "Martijn de Jong", addresses: [martdj@MartDJ.nl], password: ")") +
                          kHash + R"(" }
    - { name: nopass, addresses: [np@martdj.nl] }
  groups: [ { name: admins, members: [martdj@martdj.nl] } ]
router:
  listen: "127.0.0.1:7101"
  routes:
    - { domains: ["martdj.nl", "*.martdj.nl"], to: mailstore }
    - { domains: [example.test], to: demo }
    - { domains: ["*"], to: all_the_internet }
  destinations:
    mailstore:
      smtp: { mode: relay, relay: { hosts: ["mailstore.internal"], tls: none, auth: disabled } }
    all_the_internet:
      served_by: ["demeter"]
      smtp: { mode: direct, port: 2500, tls: required, fallback_plain: false,
              max_connections: 7, max_messages_per_connection: 9 }
    via_isp:
      smtp:
        mode: relay
        relay: { hosts: ["mail.delta.nl:587", "[2001:db8::2]:465"], tls: starttls,
                 auth: required, username: u1, password: p1 }
    via_secret:
      smtp: { mode: relay, relay: { hosts: ["smtp.isp.test:587"], auth: required,
                                    credentials: relay-delta } }
    demo:
      served_by: ["*"]
      maildir: { path: ./var/maildir }
  retry: { schedule: [1m, 90, 1h], max_age: 2d }
  delivery_concurrency: 12
  dkim:
    signing: true
    keys: { MartDJ.nl.: [ed20240705, 202206] }
    canonicalization: relaxed/simple
    headers: [from, To, Subject]
    oversign: [From, Subject]
    expire_after: 7d
keystore: { listen: "127.0.0.1:7102", backend: rocksdb, identity: /etc/postern/identity.key }
cluster:
  routers: ["127.0.0.1:7101", "127.0.0.1:7201"]
  keystores: ["127.0.0.1:7102", "127.0.0.1:7202"]
  token_file: /run/postern/cluster.token
  nodes:   { demeter: "127.0.0.1:7101", hermes: "127.0.0.1:7201" }
admin: { token_file: /run/postern/token }
)";

TEST(LoadConfig, FullFile) {
  const Config c = parse_config(kFull, "postern.yaml");
  EXPECT_EQ(c.source_file, "postern.yaml");
  EXPECT_EQ(c.node.name, "demeter");
  EXPECT_EQ(c.node.data_dir, "/srv/postern");
  EXPECT_EQ(c.internet.hostname, "mail.martdj.nl");
  EXPECT_EQ(c.internet.local_domains, (std::vector<std::string>{"martdj.nl", "example.test"}));

  ASSERT_EQ(c.dns.servers.size(), 3u);
  EXPECT_EQ(c.dns.servers[0].to_string(), "127.0.0.1:5353");
  EXPECT_EQ(c.dns.servers[1].to_string(), "[::1]:53");
  EXPECT_EQ(c.dns.servers[2].to_string(), "resolver.internal:53");
  EXPECT_EQ(c.dns.timeout, 1500ms);
  EXPECT_EQ(c.dns.tries, 3);

  ASSERT_EQ(c.edge.listeners.size(), 4u);
  EXPECT_EQ(c.edge.listeners[0].name, "mx");
  EXPECT_EQ(c.edge.listeners[0].address.to_string(), "127.0.0.1:2525");
  EXPECT_EQ(c.edge.listeners[0].tls, ListenerTls::starttls);
  EXPECT_EQ(c.edge.listeners[0].auth, ListenerAuth::none);
  EXPECT_EQ(c.edge.listeners[1].auth, ListenerAuth::required);
  EXPECT_EQ(c.edge.listeners[2].address.host, "::1");
  EXPECT_EQ(c.edge.listeners[2].address.port, 2465);
  EXPECT_EQ(c.edge.listeners[2].tls, ListenerTls::implicit);
  EXPECT_EQ(c.edge.listeners[2].auth, ListenerAuth::optional);
  EXPECT_EQ(c.edge.listeners[3].tls, ListenerTls::none);
  ASSERT_TRUE(c.edge.tls.has_value());
  EXPECT_EQ(c.edge.tls->cert, "certs/server.pem");
  EXPECT_EQ(c.edge.tls->key, "certs/server.key");
  EXPECT_EQ(c.edge.limits.max_message_bytes, 10u * 1024 * 1024);
  EXPECT_EQ(c.edge.limits.max_recipients, 50u);
  EXPECT_EQ(c.edge.limits.error_limit, 5u);
  EXPECT_EQ(c.edge.limits.max_connections, 200u);
  EXPECT_EQ(c.edge.limits.idle_timeout, 120s);
  EXPECT_EQ(c.edge.limits.data_timeout, 900s);
  EXPECT_EQ(c.edge.debug.smtp, 4);
  EXPECT_EQ(c.edge.debug.io, 3);
  EXPECT_EQ(c.edge.drain_timeout, 10s);

  ASSERT_EQ(c.directory.users.size(), 2u);
  EXPECT_EQ(c.directory.users[0].name, "Martijn de Jong");
  EXPECT_EQ(c.directory.users[0].addresses, (std::vector<std::string>{"martdj@martdj.nl"}));
  EXPECT_EQ(c.directory.users[0].password, kHash);
  EXPECT_EQ(c.directory.users[1].password, "");
  ASSERT_EQ(c.directory.groups.size(), 1u);
  EXPECT_EQ(c.directory.groups[0].name, "admins");
  EXPECT_EQ(c.directory.groups[0].members, (std::vector<std::string>{"martdj@martdj.nl"}));

  EXPECT_EQ(c.router.listen.to_string(), "127.0.0.1:7101");
  ASSERT_EQ(c.router.routes.size(), 3u);
  EXPECT_EQ(c.router.routes[0].domains, (std::vector<std::string>{"martdj.nl", "*.martdj.nl"}));
  EXPECT_EQ(c.router.routes[0].to, "mailstore");
  EXPECT_EQ(c.router.routes[2].domains, (std::vector<std::string>{"*"}));
  ASSERT_EQ(c.router.destinations.size(), 5u);

  const Destination& mailstore = c.router.destinations.at("mailstore");
  EXPECT_EQ(mailstore.name, "mailstore");
  EXPECT_TRUE(mailstore.served_by.empty());
  const auto& ms = std::get<SmtpDestination>(mailstore.kind);
  EXPECT_EQ(ms.mode, SmtpMode::relay);
  ASSERT_EQ(ms.relay.hosts.size(), 1u);
  EXPECT_EQ(ms.relay.hosts[0].to_string(), "mailstore.internal:25");
  EXPECT_EQ(ms.relay.tls, RelayTls::none);
  EXPECT_EQ(ms.relay.auth, RelayAuth::disabled);

  const Destination& inet = c.router.destinations.at("all_the_internet");
  EXPECT_EQ(inet.served_by, (std::vector<std::string>{"demeter"}));
  const auto& in = std::get<SmtpDestination>(inet.kind);
  EXPECT_EQ(in.mode, SmtpMode::direct);
  EXPECT_EQ(in.port, 2500);
  EXPECT_EQ(in.tls, DirectTls::required);
  EXPECT_FALSE(in.fallback_plain);
  EXPECT_EQ(in.max_connections, 7u);
  EXPECT_EQ(in.max_messages_per_connection, 9u);

  const auto& isp = std::get<SmtpDestination>(c.router.destinations.at("via_isp").kind);
  ASSERT_EQ(isp.relay.hosts.size(), 2u);
  EXPECT_EQ(isp.relay.hosts[0].to_string(), "mail.delta.nl:587");
  EXPECT_EQ(isp.relay.hosts[1].to_string(), "[2001:db8::2]:465");
  EXPECT_EQ(isp.relay.tls, RelayTls::starttls);
  EXPECT_EQ(isp.relay.auth, RelayAuth::required);
  EXPECT_EQ(isp.relay.username, "u1");
  EXPECT_EQ(isp.relay.password, "p1");

  const Destination& demo = c.router.destinations.at("demo");
  EXPECT_EQ(std::get<MaildirDestination>(demo.kind).path, "./var/maildir");

  EXPECT_EQ(c.router.retry.schedule,
            (std::vector<std::chrono::seconds>{60s, 90s, 3600s}));
  EXPECT_EQ(c.router.retry.max_age, std::chrono::seconds(2 * 86400));
  EXPECT_EQ(c.router.delivery_concurrency, 12u);

  ASSERT_EQ(c.cluster.routers.size(), 2u);
  EXPECT_EQ(c.cluster.routers[1].to_string(), "127.0.0.1:7201");
  ASSERT_EQ(c.cluster.nodes.size(), 2u);
  EXPECT_EQ(c.cluster.nodes.at("hermes").to_string(), "127.0.0.1:7201");
  EXPECT_EQ(c.admin.token_file, "/run/postern/token");
}

TEST(LoadConfig, EveryDefault) {
  const Config c = parse_config("internet: { hostname: mx.example.test }\n", "p.yaml");
  EXPECT_EQ(c.node.name, "postern");
  EXPECT_EQ(c.node.data_dir, "./var");
  EXPECT_TRUE(c.internet.local_domains.empty());
  EXPECT_TRUE(c.dns.servers.empty());
  EXPECT_EQ(c.dns.timeout, 5000ms);
  EXPECT_EQ(c.dns.tries, 2);

  EXPECT_TRUE(c.edge.listeners.empty());
  EXPECT_FALSE(c.edge.tls.has_value());
  EXPECT_EQ(c.edge.limits.max_message_bytes, 26214400u);
  EXPECT_EQ(c.edge.limits.max_recipients, 100u);
  EXPECT_EQ(c.edge.limits.error_limit, 10u);
  EXPECT_EQ(c.edge.limits.max_connections, 10000u);
  EXPECT_EQ(c.edge.limits.idle_timeout, 300s);
  EXPECT_EQ(c.edge.limits.data_timeout, 600s);
  EXPECT_EQ(c.edge.debug.smtp, 0);
  EXPECT_EQ(c.edge.debug.io, 0);
  EXPECT_EQ(c.edge.drain_timeout, 30s);

  EXPECT_TRUE(c.directory.users.empty());
  EXPECT_TRUE(c.directory.groups.empty());

  EXPECT_EQ(c.router.listen.to_string(), "127.0.0.1:7001");
  EXPECT_TRUE(c.router.routes.empty());
  EXPECT_TRUE(c.router.destinations.empty());
  EXPECT_EQ(c.router.retry.schedule,
            (std::vector<std::chrono::seconds>{300s, 600s, 1800s, 3600s, 7200s, 14400s}));
  EXPECT_EQ(c.router.retry.max_age, std::chrono::seconds(5 * 86400));
  EXPECT_EQ(c.router.delivery_concurrency, 100u);

  ASSERT_EQ(c.cluster.routers.size(), 1u);  // defaults to [router.listen]
  EXPECT_EQ(c.cluster.routers[0].to_string(), "127.0.0.1:7001");
  EXPECT_TRUE(c.cluster.nodes.empty());
  EXPECT_EQ(c.admin.token_file, "./var/admin.token");

  EXPECT_FALSE(c.router.dkim.signing);
  EXPECT_TRUE(c.router.dkim.keys.empty());
  EXPECT_EQ(c.router.dkim.header_canon, DkimCanon::relaxed);
  EXPECT_EQ(c.router.dkim.body_canon, DkimCanon::relaxed);
  EXPECT_EQ(c.router.dkim.headers.size(), 12u);
  EXPECT_EQ(c.router.dkim.headers.front(), "From");
  EXPECT_EQ(c.router.dkim.oversign, std::vector<std::string>{"From"});
  EXPECT_FALSE(c.router.dkim.expire_after.has_value());
  EXPECT_EQ(c.keystore.listen.to_string(), "127.0.0.1:7002");
  EXPECT_EQ(c.keystore.backend, KeystoreBackend::rocksdb);
  EXPECT_EQ(c.keystore.identity, "./var/keystore/identity.key");
  EXPECT_EQ(c.keystore.data_dir, "./var/keystore");
  ASSERT_EQ(c.cluster.keystores.size(), 1u);  // defaults to [keystore.listen]
  EXPECT_EQ(c.cluster.keystores[0].to_string(), "127.0.0.1:7002");
  EXPECT_EQ(c.cluster.token_file, "./var/cluster.token");
}

TEST(LoadConfig, KeystoreAndSigning) {
  const Config c = parse_config(kFull, "postern.yaml");
  EXPECT_TRUE(c.router.dkim.signing);
  ASSERT_EQ(c.router.dkim.keys.size(), 1u);
  EXPECT_EQ(c.router.dkim.keys.at("martdj.nl"),
            (std::vector<std::string>{"ed20240705", "202206"}));
  EXPECT_EQ(c.router.dkim.header_canon, DkimCanon::relaxed);
  EXPECT_EQ(c.router.dkim.body_canon, DkimCanon::simple);
  EXPECT_EQ(c.router.dkim.headers, (std::vector<std::string>{"from", "To", "Subject"}));
  EXPECT_EQ(c.router.dkim.oversign, (std::vector<std::string>{"From", "Subject"}));
  EXPECT_EQ(c.router.dkim.expire_after, std::chrono::seconds(7 * 86400));
  EXPECT_EQ(c.keystore.listen.to_string(), "127.0.0.1:7102");
  EXPECT_EQ(c.keystore.identity, "/etc/postern/identity.key");
  EXPECT_EQ(c.keystore.data_dir, "/srv/postern/keystore");
  ASSERT_EQ(c.cluster.keystores.size(), 2u);
  EXPECT_EQ(c.cluster.keystores[1].to_string(), "127.0.0.1:7202");
  EXPECT_EQ(c.cluster.token_file, "/run/postern/cluster.token");
  const auto& relay =
      std::get<SmtpDestination>(c.router.destinations.at("via_secret").kind).relay;
  EXPECT_EQ(relay.credentials, "relay-delta");
  EXPECT_TRUE(relay.username.empty());
  EXPECT_TRUE(relay.password.empty());
}

TEST(LoadConfig, DerivedDefaultsFollowTheirSource) {
  const Config c = parse_config(
      "node: { data_dir: /data }\ninternet: { hostname: mx.example.test }\n"
      "router: { listen: \"10.0.0.1:7777\" }\n",
      "p.yaml");
  EXPECT_EQ(c.admin.token_file, "/data/admin.token");
  ASSERT_EQ(c.cluster.routers.size(), 1u);
  EXPECT_EQ(c.cluster.routers[0].to_string(), "10.0.0.1:7777");
}

TEST(LoadConfig, SmtpDestinationDefaults) {
  const Config c = parse_config(R"(
internet: { hostname: mx.example.test }
router:
  routes: [ { domains: ["*"], to: out }, ]
  destinations:
    out: { smtp: {} }
    relay: { smtp: { mode: relay, relay: { hosts: [smart.example] } } }
)",
                                "p.yaml");
  const auto& out = std::get<SmtpDestination>(c.router.destinations.at("out").kind);
  EXPECT_EQ(out.mode, SmtpMode::direct);
  EXPECT_EQ(out.port, 25);
  EXPECT_EQ(out.tls, DirectTls::opportunistic);
  EXPECT_TRUE(out.fallback_plain);
  EXPECT_EQ(out.max_connections, 20u);
  EXPECT_EQ(out.max_messages_per_connection, 100u);
  const auto& relay = std::get<SmtpDestination>(c.router.destinations.at("relay").kind);
  EXPECT_EQ(relay.relay.tls, RelayTls::starttls);
  EXPECT_EQ(relay.relay.auth, RelayAuth::disabled);
  EXPECT_EQ(relay.relay.hosts[0].port, 25);
}

TEST(LoadConfig, EmptySectionsAreEmpty) {
  // "users:" with nothing after it is an empty list, "edge:" an empty map.
  const Config c = parse_config(
      "internet: { hostname: mx.example.test }\nedge:\ndirectory:\n  users:\n", "p.yaml");
  EXPECT_TRUE(c.directory.users.empty());
  EXPECT_TRUE(c.edge.listeners.empty());
}

TEST(LoadConfig, ShippedExampleIsValid) {
  const Config c = load_config(POSTERN_EXAMPLE_CONFIG);
  ASSERT_EQ(c.edge.listeners.size(), 3u);
  EXPECT_EQ(c.edge.listeners[0].address.port, 2525);
  EXPECT_EQ(c.edge.listeners[1].address.port, 2587);
  EXPECT_EQ(c.edge.listeners[2].address.port, 2465);
  EXPECT_EQ(c.edge.listeners[2].tls, ListenerTls::implicit);
  EXPECT_EQ(c.internet.local_domains, (std::vector<std::string>{"example.test"}));
  ASSERT_EQ(c.router.routes.size(), 2u);
  EXPECT_EQ(c.router.routes[0].domains, (std::vector<std::string>{"example.test"}));
  const Destination& local = c.router.destinations.at(c.router.routes[0].to);
  EXPECT_TRUE(std::holds_alternative<MaildirDestination>(local.kind));
}

TEST(LoadConfig, MissingFileNamesIt) {
  try {
    load_config("/nonexistent/postern.yaml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/postern.yaml");
    EXPECT_EQ(e.key(), "");
    EXPECT_EQ(e.reason(), "cannot read: No such file or directory");
    EXPECT_STREQ(e.what(), "/nonexistent/postern.yaml: cannot read: No such file or directory");
  }
}

TEST(LoadConfig, DirectoryIsNotAConfigFile) {
  try {
    load_config("/");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "/: cannot read: is a directory");
  }
}

// keystore.backend: etcd with its endpoints, prefix and timeout (kcluster).
TEST(LoadConfig, KeystoreOnEtcd) {
  const Config c = parse_config(
      "internet: { hostname: mx.example.test }\n"
      "keystore:\n"
      "  backend: etcd\n"
      "  etcd:\n"
      "    endpoints: [\"etcd-0.etcd:2379\", \"127.0.0.1:2379\", \"[::1]:2379\"]\n"
      "    prefix: /mail/keys/\n"
      "    timeout: 1500ms\n",
      "postern.yaml");
  EXPECT_EQ(c.keystore.backend, KeystoreBackend::etcd);
  ASSERT_EQ(c.keystore.etcd.endpoints.size(), 3u);
  EXPECT_EQ(c.keystore.etcd.endpoints[0].to_string(), "etcd-0.etcd:2379");
  EXPECT_EQ(c.keystore.etcd.endpoints[2].to_string(), "[::1]:2379");
  EXPECT_EQ(c.keystore.etcd.prefix, "/mail/keys/");
  EXPECT_EQ(c.keystore.etcd.timeout, std::chrono::milliseconds(1500));
  EXPECT_FALSE(c.keystore.etcd.tls);

  const Config d = parse_config(
      "internet: { hostname: mx.example.test }\n"
      "keystore: { backend: etcd, etcd: { endpoints: [\"127.0.0.1:2379\"] } }\n",
      "postern.yaml");
  EXPECT_EQ(d.keystore.etcd.prefix, "/postern/keystore/");
  EXPECT_EQ(d.keystore.etcd.timeout, std::chrono::milliseconds(3000));

  const Config t = parse_config(
      "internet: { hostname: mx.example.test }\n"
      "keystore:\n"
      "  backend: etcd\n"
      "  etcd:\n"
      "    endpoints: [\"etcd-0.etcd:2379\"]\n"
      "    tls: { ca: /etc/etcd/ca.pem, cert: ks.pem, key: ks.key }\n",
      "postern.yaml");
  ASSERT_TRUE(t.keystore.etcd.tls);
  EXPECT_EQ(t.keystore.etcd.tls->ca, "/etc/etcd/ca.pem");
  EXPECT_EQ(t.keystore.etcd.tls->cert, "ks.pem");
  EXPECT_EQ(t.keystore.etcd.tls->key, "ks.key");
}

}  // namespace
}  // namespace postern::config
