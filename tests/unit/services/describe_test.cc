// One-line descriptions and the check-config summary (services/describe.h): exact text for
// each listener and destination kind, and no secret in any output.
#include "services/describe.h"

#include <gtest/gtest.h>

#include <string>

namespace postern::services {
namespace {

using config::HostPort;
using config::Listener;
using config::ListenerAuth;
using config::ListenerTls;

Listener listener(std::string name, uint16_t port, ListenerTls tls, ListenerAuth auth) {
  Listener l;
  l.name = std::move(name);
  l.address = HostPort{"127.0.0.1", port};
  l.tls = tls;
  l.auth = auth;
  return l;
}

config::Destination maildir(std::string name, std::string path) {
  config::Destination d;
  d.name = std::move(name);
  d.kind = config::MaildirDestination{std::move(path)};
  return d;
}

config::Destination direct(std::string name, uint16_t port) {
  config::Destination d;
  d.name = std::move(name);
  config::SmtpDestination s;
  s.mode = config::SmtpMode::direct;
  s.port = port;
  d.kind = s;
  return d;
}

config::Destination relay(std::string name) {
  config::Destination d;
  d.name = std::move(name);
  config::SmtpDestination s;
  s.mode = config::SmtpMode::relay;
  s.relay.hosts = {HostPort{"mail.isp.test", 587}, HostPort{"::1", 25}};
  s.relay.auth = config::RelayAuth::required;
  s.relay.username = "relay-user";
  s.relay.password = "relay-secret-do-not-print";
  d.kind = s;
  return d;
}

TEST(DescribeListener, EveryTlsAndAuthCombinationThatMatters) {
  struct Case {
    Listener l;
    const char* want;
  } cases[] = {
      {listener("mx", 2525, ListenerTls::starttls, ListenerAuth::none),
       "mx 127.0.0.1:2525 (starttls)"},
      {listener("plain", 25, ListenerTls::none, ListenerAuth::none), "plain 127.0.0.1:25 (plain)"},
      {listener("submission", 2587, ListenerTls::starttls, ListenerAuth::required),
       "submission 127.0.0.1:2587 (starttls, auth required)"},
      {listener("submissions", 2465, ListenerTls::implicit, ListenerAuth::optional),
       "submissions 127.0.0.1:2465 (implicit tls, auth optional)"},
  };
  for (const auto& c : cases) EXPECT_EQ(describe_listener(c.l), c.want);
}

TEST(DescribeListener, Ipv6AddressIsBracketed) {
  Listener l = listener("mx6", 25, ListenerTls::none, ListenerAuth::none);
  l.address = HostPort{"::1", 25};
  EXPECT_EQ(describe_listener(l), "mx6 [::1]:25 (plain)");
}

TEST(DescribeDestination, EachKind) {
  EXPECT_EQ(describe_destination(maildir("box", "/srv/mail")), "maildir at /srv/mail");
  EXPECT_EQ(describe_destination(direct("internet", 2525)), "smtp direct (MX, port 2525)");
  EXPECT_EQ(describe_destination(relay("isp")), "smtp relay via mail.isp.test:587, [::1]:25");
}

config::Config sample() {
  config::Config c;
  c.node.name = "demeter";
  c.node.data_dir = "/var/lib/postern";
  c.internet.hostname = "mx.example.test";
  c.internet.local_domains = {"example.test", "example.org"};
  c.edge.listeners = {listener("mx", 2525, ListenerTls::starttls, ListenerAuth::none)};
  config::User u;
  u.name = "Alice";
  u.addresses = {"alice@example.test"};
  u.password = "$argon2id$v=19$m=8192,t=2,p=1$c2VjcmV0LXNhbHQ$secret-hash-do-not-print";
  c.directory.users = {u};
  c.router.listen = HostPort{"127.0.0.1", 7001};
  c.router.destinations = {{"box", maildir("box", "/srv/mail")}, {"isp", relay("isp")}};
  c.router.routes = {{{"example.test", "example.org"}, "box"}, {{"*"}, "isp"}};
  c.admin.token_file = "/var/lib/postern/admin.token";
  return c;
}

TEST(Summarize, NamesWhatTheFileConfigures) {
  const std::string out = summarize(sample());
  EXPECT_EQ(out,
            "  node demeter, data_dir /var/lib/postern, hostname mx.example.test\n"
            "  local domains: example.test, example.org\n"
            "  edge: 1 listener:\n"
            "    mx 127.0.0.1:2525 (starttls)\n"
            "  directory: 1 user, 0 groups\n"
            "  router 127.0.0.1:7001: 2 routes, 2 destinations\n"
            "    example.test, example.org -> box (maildir at /srv/mail)\n"
            "    * -> isp (smtp relay via mail.isp.test:587, [::1]:25)\n"
            "  admin token file: /var/lib/postern/admin.token\n");
}

TEST(Summarize, NeverPrintsSecrets) {
  const std::string out = summarize(sample());
  EXPECT_EQ(out.find("relay-secret"), std::string::npos) << out;
  EXPECT_EQ(out.find("argon2id"), std::string::npos) << out;
  EXPECT_EQ(out.find("secret-hash"), std::string::npos) << out;
}

TEST(Summarize, EmptySectionsSayNone) {
  config::Config c;
  c.internet.hostname = "mx.example.test";
  const std::string out = summarize(c);
  EXPECT_NE(out.find("  local domains: none\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  edge: 0 listeners\n"), std::string::npos) << out;  // no dangling ':'
  EXPECT_NE(out.find("  directory: 0 users, 0 groups\n"), std::string::npos) << out;
  EXPECT_NE(out.find(": 0 routes, 0 destinations\n"), std::string::npos) << out;
}

TEST(Summarize, RouteToAnUnknownDestinationIsStillListed) {
  // load_config refuses this; summarize must not crash on a hand-built Config either.
  config::Config c = sample();
  c.router.routes.push_back({{"lost.test"}, "nowhere"});
  EXPECT_NE(summarize(c).find("    lost.test -> nowhere\n"), std::string::npos) << summarize(c);
}

}  // namespace
}  // namespace postern::services
