// Typed configuration of a Postern node: one YAML file (postern.yaml).
//
// Contract: load_config() returns a fully validated Config or throws ConfigError naming the
// file, the key path (e.g. "edge.listeners[1].tls") and what is wrong. Unknown keys, wrong
// types and impossible combinations are errors; every default is documented at its field.
// Nothing downstream re-validates: a Config value is always consistent.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "common/config/cidr.h"

namespace postern::config {

// what() is "<file>: <key path>: <reason>", followed by " (line L, column C)" when the YAML
// position is known (line/column 1-based; 0 = unknown). An empty key (YAML syntax errors, an
// unreadable file) is left out: "<file>: <reason> (line L, column C)". The reason never
// contains a secret's value (passwords are named, not echoed).
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, std::string key, std::string reason, int line = 0,
              int column = 0);
  const std::string& file() const { return file_; }
  const std::string& key() const { return key_; }
  const std::string& reason() const { return reason_; }
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  std::string file_, key_, reason_;
  int line_ = 0, column_ = 0;
};

// "host:port" split; host may be a name, IPv4, or [IPv6].
struct HostPort {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const;  // "[::1]:25" / "127.0.0.1:25" / "mx.example:25"
};

struct Node {
  std::string name = "postern";   // node.name; default: "postern"
  std::string data_dir = "./var"; // node.data_dir; RocksDB queue, maildirs, tokens live here
};

struct Internet {
  std::string hostname;                   // internet.hostname; required (banner, Received, HELO)
  std::vector<std::string> local_domains; // internet.local_domains; lower-case, no trailing dot
};

struct Dns {
  std::vector<HostPort> servers;  // dns.servers; empty: the system's resolv.conf
  std::chrono::milliseconds timeout{5000};  // dns.timeout per try; default 5s
  int tries = 2;                            // dns.tries; default 2
};

enum class ListenerTls { none, starttls, implicit };
enum class ListenerAuth { none, optional, required };

struct Listener {
  std::string name;      // edge.listeners[].name; unique
  HostPort address;      // edge.listeners[].address
  ListenerTls tls = ListenerTls::none;    // default none; starttls/implicit need edge.tls
  ListenerAuth auth = ListenerAuth::none; // default none; optional/required need tls != none
};

struct TlsFiles {
  std::string cert;  // PEM chain
  std::string key;   // PEM private key
};

struct EdgeLimits {
  uint64_t max_message_bytes = 26214400;  // SIZE; default 25 MiB
  uint32_t max_recipients = 100;          // per transaction
  uint32_t error_limit = 10;              // errors before 421 and disconnect
  uint32_t max_connections = 10000;       // per edge process
  std::chrono::seconds idle_timeout{300}; // per command (RFC 5321 4.5.3.2 suggests 5 min)
  std::chrono::seconds data_timeout{600}; // whole DATA/BDAT phase
};

struct EdgeDebug {
  int smtp = 0;  // 0-4, like Domino's SMTPDebug: 0 errors, 1 sessions, 2 commands, 3 replies, 4 all
  int io = 0;    // 0/1/3/4, like SMTPDebugIO: 0 off, >0 raw bytes
};

// edge.inbound: sender authentication of unauthenticated inbound mail (docs/config.md).
// Actions follow Domino's "Log only / Log and tag / Log and reject": none = the result is
// logged only (not written into the message), tag = written into Authentication-Results
// (and Received-SPF), reject = 550 at end of DATA; defer = 451 (the sender retries).
// Defaults tag everything and reject nothing.
enum class AuthAction { none, tag, reject };
enum class TempAction { none, tag, defer };

struct InboundSpf {
  bool enabled = true;                         // edge.inbound.spf.enabled
  AuthAction on_fail = AuthAction::tag;        // result fail: reject = 550 5.7.23
  AuthAction on_softfail = AuthAction::tag;    // result softfail
  TempAction on_temperror = TempAction::tag;   // temperror: defer = 451 4.7.24
  bool check_helo = true;                      // also check the HELO identity (RFC 7208 2.3)
  std::vector<Cidr> skip_hosts;                // clients not checked
};

struct InboundDkim {
  bool enabled = true;
  AuthAction on_fail = AuthAction::tag;        // no signature passed and one failed: 550 5.7.20
  TempAction on_temperror = TempAction::tag;   // a key lookup failed: defer = 451 4.7.5
  std::vector<Cidr> skip_hosts;
};

enum class OrgDomainMethod { psl, tree_walk };
enum class QuarantineAction { tag, none };
enum class DmarcTempAction { none, defer };

struct InboundDmarc {
  bool enabled = true;
  bool enforce = false;                        // p=reject -> 550 5.7.1 (else tagged only)
  OrgDomainMethod org_domain = OrgDomainMethod::psl;  // RFC 7489 PSL or DMARCbis tree walk
  QuarantineAction on_quarantine = QuarantineAction::tag;  // X-Postern-Quarantine marker
  DmarcTempAction on_temperror = DmarcTempAction::none;    // defer = 451 4.7.1
  std::vector<Cidr> skip_hosts;
};

// Connecting hosts for the inbound controls: address blocks and host names. A name matches
// only the client's forward-confirmed PTR name (a PTR alone is the client's own claim);
// "*.example" matches every subdomain of example. Names lower-case, no trailing dot.
struct HostList {
  std::vector<Cidr> networks;
  std::vector<std::string> names;
  bool empty() const { return networks.empty() && names.empty(); }
};

// edge.inbound.relay (Domino's "Relay controls"). Who may send to recipients outside
// internet.local_domains. Default: only authenticated users.
enum class RelayEnforce { all, external, none };
struct InboundRelay {
  std::vector<std::string> allow_domains;  // destinations anyone may relay to; "*" = all
  std::vector<std::string> deny_domains;   // destinations never relayed to (unauthenticated)
  HostList allow_hosts;                    // clients that may relay (to any allowed domain)
  HostList deny_hosts;                     // clients that may never relay
  // all: every unauthenticated client is checked (default); external: clients in
  // trusted_networks are not; none: no relay checks at all (an open relay: refused unless
  // allow_open_relay is also set).
  RelayEnforce enforce = RelayEnforce::all;
  bool allow_open_relay = false;
  HostList exclude_hosts;                  // clients never checked
  bool authenticated_may_relay = true;     // AUTH users relay anywhere
};

// edge.inbound.connection (Domino's "Connection controls").
struct InboundConnection {
  HostList allow_hosts;          // always accepted at connect (deny_hosts, DNSBL not applied)
  HostList deny_hosts;           // refused at connect: 554 5.7.1
  bool verify_hostname = false;  // refuse clients without forward-confirmed PTR: 550 5.7.25
  uint32_t max_per_ip = 0;       // concurrent sessions per client IP; 0 = unlimited
  uint32_t rate_per_ip = 0;      // new sessions per client IP per rate_window; 0 = unlimited
  std::chrono::seconds rate_window{60};
};

// edge.inbound.sender (Domino's "Sender controls").
struct InboundSender {
  bool verify_domain = false;  // MAIL FROM domain needs MX or A/AAAA (null MX refused)
};

// edge.inbound.recipients (Domino's "Recipient controls").
struct InboundRecipients {
  bool verify_local = false;  // local-domain recipients must exist in `directory`
  bool deny_groups = false;   // refuse mail addressed to a directory group
};

// edge.inbound.dnsbl: DNS block lists (blacklists) and allow lists (DNSWL).
enum class DnsblAction { log, tag, reject };  // Domino: log only / log and tag / log and reject
struct DnsblZone {
  std::string zone;                // lower-case, no trailing dot
  std::vector<std::string> codes;  // answers that count as listed (common/dnsbl syntax);
                                   // empty: any 127.0.0.0/8 answer
  DnsblAction action = DnsblAction::tag;  // blacklists only
  double weight = 0;               // score weight of a hit (blacklists default 5, DNSWL -5)
  std::string reply;               // reject reply template ("" = edge.inbound.dnsbl.reply)
};
struct InboundDnsbl {
  std::vector<DnsblZone> zones;        // blacklists
  std::vector<DnsblZone> allow_zones;  // DNSWL
  bool allow_skips_zones = true;       // a DNSWL hit skips the blacklists
  // %s placeholders: the first is the client address, the second the zone.
  std::string reply = "Rejected: %s is listed at %s";
};

// edge.inbound.score: the reputation score. Facts (names in docs/config.md) add their weight;
// the thresholds decide. Unset thresholds never apply.
struct InboundScore {
  std::map<std::string, double> weights = default_weights();
  std::optional<double> tag;        // at or above: X-Postern-Score header
  std::optional<double> defer;      // at or above: 451 4.7.1
  std::optional<double> reject;     // at or above: 550 5.7.1
  static std::map<std::string, double> default_weights();
  static const std::vector<std::string>& fact_names();  // the names weights may use
};

// edge.inbound.greylist: state lives in the routers (shared by every edge).
struct InboundGreylist {
  bool enabled = false;
  std::chrono::seconds delay{300};              // a retry passes after this
  std::chrono::seconds retry_window{48 * 3600}; // ... and within this of the first attempt
  std::chrono::seconds expiry{35 * 24 * 3600};  // a passed triplet is remembered this long
  HostList pass_hosts;                          // clients never greylisted
  std::vector<std::string> pass_domains;        // sender or recipient domains never greylisted
};

// edge.inbound.pregreet: postscreen-like tests before the banner.
struct InboundPregreet {
  std::chrono::milliseconds greeting_delay{0};  // wait this long before the banner
  bool reject_early_talkers = false;            // else only scored (early_talker fact)
};

struct RateLimit {
  uint32_t count = 0;                    // 0 = unlimited
  std::chrono::seconds window{3600};
};
// edge.inbound.rate_limits: 450 4.7.1 at MAIL FROM beyond the limit.
struct InboundRateLimits {
  RateLimit messages_per_ip;      // transactions (MAIL FROM) per client IP
  RateLimit messages_per_sender;  // transactions per authenticated user
};

struct Inbound {
  InboundSpf spf;
  InboundDkim dkim;
  InboundDmarc dmarc;
  // Clients whose mail is not checked at all (like Postfix's mynetworks). Default: loopback.
  std::vector<Cidr> trusted_networks = default_trusted_networks();
  static std::vector<Cidr> default_trusted_networks();  // 127.0.0.0/8, ::1/128
  InboundRelay relay;
  InboundConnection connection;
  InboundSender sender;
  InboundRecipients recipients;
  InboundDnsbl dnsbl;
  InboundScore score;
  InboundGreylist greylist;
  InboundPregreet pregreet;
  InboundRateLimits rate_limits;
};

struct Edge {
  std::vector<Listener> listeners;         // default: none (the role then refuses to start)
  std::optional<TlsFiles> tls;             // edge.tls
  EdgeLimits limits;
  EdgeDebug debug;
  Inbound inbound;                         // edge.inbound
  std::chrono::seconds drain_timeout{30};  // on SIGTERM: how long sessions may finish
};

struct User {
  std::string name;
  std::vector<std::string> addresses;  // lower-case domain part; unique across users (any case)
  std::string password;                // Argon2id hash ($argon2id$...); empty: cannot AUTH
};

struct Group {
  std::string name;
  std::vector<std::string> members;
};

struct Directory {
  std::vector<User> users;
  std::vector<Group> groups;
};

enum class SmtpMode { direct, relay };
enum class DirectTls { opportunistic, required, none };
enum class RelayTls { starttls, implicit, none };
enum class RelayAuth { required, enabled, disabled };

struct Relay {
  std::vector<HostPort> hosts;         // tried in order
  RelayTls tls = RelayTls::starttls;   // default starttls
  RelayAuth auth = RelayAuth::disabled;
  // auth != disabled guarantees: username and password non-empty, tls != none. With
  // auth == disabled both are empty (a credential that would never be used is refused).
  // Credentials for auth, one of two ways: `credentials` names a keystore secret (set with
  // `posternctl keymgmt set secret NAME --username USER`; the router reads it from the
  // keystore when it connects), or username and password are written here. auth != disabled
  // guarantees exactly one of the two is set and tls != none. With auth == disabled all three
  // are empty (a credential that would never be used is refused).
  std::string username;
  std::string password;
  std::string credentials;             // keystore secret name
};

struct SmtpDestination {
  SmtpMode mode = SmtpMode::direct;
  uint16_t port = 25;                        // direct: remote port (tests use another)
  DirectTls tls = DirectTls::opportunistic;  // direct only
  bool fallback_plain = true;                // direct: retry without TLS if STARTTLS fails
  Relay relay;                               // mode: relay (hosts non-empty); unused for direct
  uint32_t max_connections = 20;             // concurrent connections to this destination
  uint32_t max_messages_per_connection = 100;// before the connection is closed and reopened
};

struct MaildirDestination {
  std::string path;  // relative paths are relative to node.data_dir
};

struct Destination {
  std::string name;
  std::vector<std::string> served_by;  // empty/["*"]: every router; else others forward
  std::variant<SmtpDestination, MaildirDestination> kind;
};

// Matching (first route, first pattern wins) is defined in route_match.h.
struct Route {
  std::vector<std::string> domains;  // lower-case; "*" matches all; "*.example" subdomains
  std::string to;                    // a destination name (validated to exist)
};

struct Retry {
  // router.retry.schedule: delays after attempt 1, 2, ...; the last repeats. Default as below.
  std::vector<std::chrono::seconds> schedule{std::chrono::minutes(5),  std::chrono::minutes(10),
                                             std::chrono::minutes(30), std::chrono::hours(1),
                                             std::chrono::hours(2),    std::chrono::hours(4)};
  std::chrono::seconds max_age = std::chrono::hours(24 * 5);  // router.retry.max_age; default 5d
};

enum class DkimCanon { simple, relaxed };

// router.dkim: outbound DKIM signing (Domino's RouterDKIMSigning and DKIM_KEY_<domain>).
// A message is signed when signing is on, its RFC 5322 From domain has selectors in `keys`,
// and it came from an authenticated user, a trusted network or the router itself (DSNs);
// mail relayed in from outside is never signed. One DKIM-Signature per selector.
struct DkimSigning {
  bool signing = false;                                   // router.dkim.signing
  std::map<std::string, std::vector<std::string>> keys;   // router.dkim.keys: domain -> selectors
  DkimCanon header_canon = DkimCanon::relaxed;            // router.dkim.canonicalization
  DkimCanon body_canon = DkimCanon::relaxed;              //   "relaxed/relaxed" (c= syntax)
  // router.dkim.headers: the fields signed when present (RFC 6376 5.4.1); From is required.
  std::vector<std::string> headers = default_headers();
  // router.dkim.oversign: fields listed once more than they occur, so none can be added
  // after signing (RFC 6376 8.15). Default: From.
  std::vector<std::string> oversign{"From"};
  std::optional<std::chrono::seconds> expire_after;       // router.dkim.expire_after: x= = t + this
  static std::vector<std::string> default_headers();
};

struct Router {
  HostPort listen{"127.0.0.1", 7001};        // router.listen (gRPC)
  std::vector<Route> routes;                 // first match wins
  std::map<std::string, Destination> destinations;
  Retry retry;
  // Delivery jobs in flight at once, whole router. A job is one message's pending recipients
  // for one (destination, domain) pair, so one message can take several slots.
  uint32_t delivery_concurrency = 100;
  DkimSigning dkim;                          // router.dkim
};

enum class KeystoreBackend { rocksdb, etcd };

// keystore.etcd.tls: TLS to the etcd members (their client URLs are https). `ca` verifies the
// members' certificates (which must name the endpoint's host); `cert` and `key`, optional and
// only together, are presented for etcd's --client-cert-auth. Read when the keystore starts.
struct EtcdTls {
  std::string ca;
  std::string cert;
  std::string key;
};

// keystore.etcd: the etcd cluster that replicates the sealed entries (backend: etcd).
struct KeystoreEtcd {
  std::vector<HostPort> endpoints;                  // keystore.etcd.endpoints (1..16, required)
  std::string prefix = "/postern/keystore/";        // keystore.etcd.prefix (ends in "/")
  std::chrono::milliseconds timeout{3000};          // keystore.etcd.timeout (per attempt)
  std::optional<EtcdTls> tls;                       // keystore.etcd.tls; unset: plaintext
};

// keystore: the role that holds NEKs, DKIM keys and secrets (docs/config.md).
struct Keystore {
  HostPort listen{"127.0.0.1", 7002};               // keystore.listen (gRPC)
  KeystoreBackend backend = KeystoreBackend::rocksdb;  // keystore.backend
  KeystoreEtcd etcd;                                // keystore.etcd (backend: etcd only)
  // keystore.identity: the node identity file (X25519, mode 0600, created on first start);
  // default <data_dir>/keystore/identity.key. In Kubernetes it comes from a Secret.
  std::string identity;
  std::string data_dir;                             // derived: <data_dir>/keystore (RocksDB)
};

// cluster.tls: mutual TLS between roles (common/grpc_tls/credentials.h). The three files are
// required together; they are read (and the key checked against the certificate) when a role
// starts and by `postern check-config` (common/grpc_tls/tls_files.h), not by load_config(). Relative paths are relative to the working directory.
struct ClusterTls {
  std::string ca;    // cluster.tls.ca: PEM CA certificate(s) every node's certificate chains to
  std::string cert;  // cluster.tls.cert: this node's PEM certificate chain (server and client)
  std::string key;   // cluster.tls.key: its PEM private key
  // cluster.tls.server_name: optional; the name clients expect in every server's certificate
  // instead of the host of the address they dial (gRPC's ssl_target_name_override). "" = the
  // address's host is checked (a SAN DNS name or IP).
  std::string server_name;
  // cluster.tls.routers: the routers' certificate names (CN or SAN DNS, compared
  // case-insensitively). Keystore.Sign/GetSecret and Router.Forward accept these certificates
  // in place of the cluster token. Default empty: the token is required, so a certificate of
  // another role from the same CA (an edge's) never reaches keys, secrets or Forward.
  std::vector<std::string> routers;
};

struct Cluster {
  std::vector<HostPort> routers;             // cluster.routers; default: [router.listen]
  std::vector<HostPort> keystores;           // cluster.keystores; default: [keystore.listen]
  std::map<std::string, HostPort> nodes;     // cluster.nodes: where served_by nodes take Forward
  // cluster.token_file: the token roles present to each other (router -> keystore);
  // default <data_dir>/cluster.token (created if missing, mode 0600). Every node of a cluster
  // needs the same file (in Kubernetes: a Secret).
  std::string token_file;
  std::optional<ClusterTls> tls;             // cluster.tls; unset: plaintext gRPC between roles
  // cluster.health_check_interval: how often an edge asks each router for grpc.health.v1
  // status (100ms..10m); default 2s.
  std::chrono::milliseconds health_check_interval{2000};
};

struct Admin {
  std::string token_file;  // admin.token_file; default <data_dir>/admin.token (created if missing)
  // admin.tls_clients: client-certificate names (CN or SAN DNS, compared case-insensitively)
  // accepted for admin RPCs instead of the token; needs cluster.tls. Default empty: token only.
  std::vector<std::string> tls_clients;
};

struct Config {
  std::string source_file;  // the file this came from, for messages
  Node node;
  Internet internet;
  Dns dns;
  Edge edge;
  Directory directory;
  Router router;
  Keystore keystore;
  Cluster cluster;
  Admin admin;
};

// The admin token that guards admin RPCs: read from admin.token_file, created there (mode
// 0600, 32 random bytes as hex) when missing. Throws std::runtime_error naming the file.
std::string load_or_create_admin_token(const Config& config);
// The same for cluster.token_file: the token routers present to keystores.
std::string load_or_create_cluster_token(const Config& config);

// Parses and validates. Throws ConfigError.
Config load_config(const std::string& path);
Config parse_config(const std::string& yaml_text, const std::string& file_name_for_errors);

}  // namespace postern::config
