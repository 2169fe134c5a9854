// Reader for the router section: listen address, routes, destinations, retry schedule.
#include <limits>
#include <set>

#include "common/config/sections.h"

namespace postern::config::detail {
namespace {

using namespace std::chrono_literals;

bool valid_destination_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Relay read_relay(const yaml::Value& v) {
  auto m = v.map();
  auto hosts = m.require("hosts");
  auto tls = m.get("tls");
  auto auth = m.get("auth");
  auto username = m.get("username");
  auto password = m.get("password");
  m.refuse("credentials",
           "not supported yet: keystore secrets arrive with the keystore role; use username and "
           "password in this block for now");
  m.finish();
  Relay out;
  for (const auto& item : hosts.list()) out.hosts.push_back(item.host_port(25));
  if (out.hosts.empty()) hosts.fail("must list at least one relay host");
  if (tls) {
    out.tls = tls->one_of<RelayTls>({{"starttls", RelayTls::starttls},
                                     {"implicit", RelayTls::implicit},
                                     {"none", RelayTls::none}});
  }
  if (auth) {
    out.auth = auth->one_of<RelayAuth>({{"required", RelayAuth::required},
                                        {"enabled", RelayAuth::enabled},
                                        {"disabled", RelayAuth::disabled}});
  }
  if (username) out.username = username->string();
  if (password) out.password = password->string();

  if (out.auth != RelayAuth::disabled) {
    if (out.username.empty() || out.password.empty()) {
      auth->fail(std::string("auth: ") + (out.auth == RelayAuth::required ? "required" : "enabled") +
                 " needs username and password");
    }
    if (out.tls == RelayTls::none) {
      auth->fail("needs tls: starttls or implicit (a relay password is never sent in clear)");
    }
  } else if (username || password) {
    // An admin who wrote credentials expects them to be used; say they are not.
    (username ? *username : *password)
        .fail("set, but auth is disabled (set auth: required or enabled, or remove it)");
  }
  return out;
}

SmtpDestination read_smtp(const yaml::Value& v) {
  auto m = v.map();
  auto mode = m.get("mode");
  auto port = m.get("port");
  auto tls = m.get("tls");
  auto fallback_plain = m.get("fallback_plain");
  auto relay = m.get("relay");
  auto max_connections = m.get("max_connections");
  auto max_messages = m.get("max_messages_per_connection");
  m.finish();
  SmtpDestination out;
  if (mode) {
    out.mode = mode->one_of<SmtpMode>({{"direct", SmtpMode::direct}, {"relay", SmtpMode::relay}});
  }
  if (out.mode == SmtpMode::direct) {
    if (relay) relay->fail("only used with mode: relay");
    if (port) out.port = static_cast<uint16_t>(port->integer(1, 65535));
    if (tls) {
      out.tls = tls->one_of<DirectTls>({{"opportunistic", DirectTls::opportunistic},
                                        {"required", DirectTls::required},
                                        {"none", DirectTls::none}});
    }
    if (fallback_plain) out.fallback_plain = fallback_plain->boolean();
  } else {
    // These steer MX delivery only; accepting them here would let an admin believe they act.
    for (const auto* direct_only : {&port, &tls, &fallback_plain}) {
      if (*direct_only) {
        (*direct_only)->fail("only used with mode: direct (a relay's port and TLS are set in "
                             "relay.hosts and relay.tls)");
      }
    }
    if (!relay) v.fail("mode: relay needs a relay block (relay: { hosts: [...] })");
    out.relay = read_relay(*relay);
  }
  if (max_connections) {
    out.max_connections = static_cast<uint32_t>(max_connections->integer(1, 10000));
  }
  if (max_messages) {
    out.max_messages_per_connection = static_cast<uint32_t>(max_messages->integer(1, 100000));
  }
  return out;
}

MaildirDestination read_maildir(const yaml::Value& v) {
  auto m = v.map();
  auto path = m.require("path");
  m.finish();
  return MaildirDestination{path.non_empty_string()};
}

Destination read_destination(const std::string& name, const yaml::Value& v) {
  if (!valid_destination_name(name)) {
    v.fail("destination names use letters, digits, '_' and '-'");
  }
  auto m = v.map();
  auto served_by = m.get("served_by");
  auto smtp = m.get("smtp");
  auto maildir = m.get("maildir");
  m.finish();
  Destination out;
  out.name = name;
  if (served_by) {
    for (const auto& item : served_by->list()) out.served_by.push_back(item.non_empty_string());
  }
  if (static_cast<bool>(smtp) == static_cast<bool>(maildir)) {
    v.fail("needs exactly one of smtp, maildir");
  }
  if (smtp) {
    out.kind = read_smtp(*smtp);
  } else {
    out.kind = read_maildir(*maildir);
  }
  return out;
}

Route read_route(const yaml::Value& v) {
  auto m = v.map();
  auto domains = m.require("domains");
  auto to = m.require("to");
  m.finish();
  Route out;
  std::set<std::string> seen;
  for (const auto& item : domains.list()) {
    std::string d = item.domain(/*allow_wildcard=*/true);
    if (!seen.insert(d).second) item.fail("duplicate domain \"" + d + "\"");
    out.domains.push_back(std::move(d));
  }
  if (out.domains.empty()) domains.fail("must list at least one domain");
  out.to = to.non_empty_string();
  return out;
}

Retry read_retry(const yaml::Value& v) {
  auto m = v.map();
  auto schedule = m.get("schedule");
  auto max_age = m.get("max_age");
  m.finish();
  Retry out;
  if (schedule) {
    out.schedule.clear();
    for (const auto& item : schedule->list()) out.schedule.push_back(item.seconds(1s));
    if (out.schedule.empty()) schedule->fail("must list at least one delay");
  }
  if (max_age) out.max_age = max_age->seconds(1s);
  return out;
}

}  // namespace

Router read_router(const yaml::Value& v) {
  auto m = v.map();
  auto listen = m.get("listen");
  auto routes = m.get("routes");
  auto destinations = m.get("destinations");
  auto retry = m.get("retry");
  auto delivery_concurrency = m.get("delivery_concurrency");
  m.refuse("dkim",
           "not supported yet: DKIM signing arrives with the keystore role; remove router.dkim "
           "(outbound mail is not signed)");
  m.finish();
  Router out;
  if (listen) out.listen = listen->host_port();
  if (destinations) {
    auto dm = destinations->map();
    for (const auto& [name, item] : dm.entries()) {
      out.destinations.emplace(name, read_destination(name, item));
    }
  }
  if (routes) {
    for (const auto& item : routes->list()) out.routes.push_back(read_route(item));
  }
  if (retry) out.retry = read_retry(*retry);
  if (delivery_concurrency) {
    out.delivery_concurrency = static_cast<uint32_t>(delivery_concurrency->integer(1, 100000));
  }
  return out;
}

}  // namespace postern::config::detail
