// Reader for the router section: listen address, routes, destinations, retry schedule.
#include <limits>
#include <set>

#include <algorithm>

#include "common/config/names.h"
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
  auto credentials = m.get("credentials");
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
  if (credentials) {
    out.credentials = credentials->non_empty_string();
    if (username || password) {
      credentials->fail("names a keystore secret; remove username and password (the secret "
                        "holds both)");
    }
  }

  if (out.auth != RelayAuth::disabled) {
    if (out.credentials.empty() && (out.username.empty() || out.password.empty())) {
      auth->fail(std::string("auth: ") + (out.auth == RelayAuth::required ? "required" : "enabled") +
                 " needs credentials (a keystore secret) or username and password");
    }
    if (out.tls == RelayTls::none) {
      auth->fail("needs tls: starttls or implicit (a relay password is never sent in clear)");
    }
  } else if (username || password || credentials) {
    // An admin who wrote credentials expects them to be used; say they are not.
    (username ? *username : password ? *password : *credentials)
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

// A DKIM selector (RFC 6376 3.1): dot-separated labels of letters, digits and '-'. Numeric
// selectors ("202206") are common, so YAML numbers are read as their text.
std::string read_selector(const yaml::Value& v) {
  std::string s = v.non_empty_string();
  bool label_start = true;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      label_start = false;
    } else if (c == '-' && !label_start) {
    } else if (c == '.' && !label_start && s[i - 1] != '-') {
      label_start = true;
    } else {
      v.fail("not a DKIM selector \"" + s + "\" (letters, digits, '-' and '.')");
    }
  }
  if (label_start || s.back() == '-' || s.size() > 63) {
    v.fail("not a DKIM selector \"" + s + "\" (letters, digits, '-' and '.')");
  }
  return s;
}

// "relaxed/simple" as in the c= tag; one word means that header canonicalization with a
// simple body (RFC 6376 3.5).
void read_canonicalization(const yaml::Value& v, DkimSigning& out) {
  const std::string text = v.non_empty_string();
  const auto slash = text.find('/');
  auto word = [&](std::string_view w) {
    if (w == "relaxed") return DkimCanon::relaxed;
    if (w == "simple") return DkimCanon::simple;
    v.fail("must be relaxed/relaxed, relaxed/simple, simple/relaxed or simple/simple (got \"" +
           text + "\")");
  };
  out.header_canon = word(std::string_view(text).substr(0, slash));
  out.body_canon = slash == std::string::npos ? DkimCanon::simple
                                              : word(std::string_view(text).substr(slash + 1));
}

std::vector<std::string> read_field_names(const yaml::Value& v) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& item : v.list()) {
    std::string name = item.non_empty_string();
    for (char c : name) {
      // RFC 5322 ftext: printable ASCII except ':'.
      if (c < 33 || c > 126 || c == ':') item.fail("not a header field name \"" + name + "\"");
    }
    std::string folded = name;
    for (char& c : folded) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (!seen.insert(folded).second) item.fail("duplicate header field \"" + name + "\"");
    out.push_back(std::move(name));
  }
  return out;
}

bool has_field(const std::vector<std::string>& names, std::string_view want) {
  for (const auto& n : names) {
    if (n.size() == want.size() &&
        std::equal(n.begin(), n.end(), want.begin(), [](char a, char b) {
          return (a | 0x20) == (b | 0x20);
        })) {
      return true;
    }
  }
  return false;
}

DkimSigning read_dkim(const yaml::Value& v) {
  auto m = v.map();
  auto signing = m.get("signing");
  auto keys = m.get("keys");
  auto canonicalization = m.get("canonicalization");
  auto headers = m.get("headers");
  auto oversign = m.get("oversign");
  auto expire_after = m.get("expire_after");
  m.finish();
  DkimSigning out;
  if (signing) out.signing = signing->boolean();
  if (keys) {
    auto km = keys->map();
    for (const auto& [domain_text, selectors] : km.entries()) {
      auto parsed = normalize_domain(domain_text);
      if (!parsed) selectors.fail("not a domain: " + parsed.error);
      std::vector<std::string> list;
      std::set<std::string> seen;
      for (const auto& item : selectors.list()) {
        std::string sel = read_selector(item);
        if (!seen.insert(sel).second) item.fail("duplicate selector \"" + sel + "\"");
        list.push_back(std::move(sel));
      }
      if (list.empty()) selectors.fail("must list at least one selector");
      if (!out.keys.emplace(*parsed.value, std::move(list)).second) {
        selectors.fail("domain \"" + *parsed.value + "\" is listed twice");
      }
    }
  }
  if (canonicalization) read_canonicalization(*canonicalization, out);
  if (headers) {
    out.headers = read_field_names(*headers);
    if (!has_field(out.headers, "From")) headers->fail("must include From (RFC 6376 5.4)");
  }
  if (oversign) out.oversign = read_field_names(*oversign);
  if (expire_after) out.expire_after = expire_after->seconds(std::chrono::seconds(60));
  if (out.signing && out.keys.empty()) {
    (keys ? *keys : *signing).fail("signing: true needs router.dkim.keys (domain: [selectors])");
  }
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
  auto dkim = m.get("dkim");
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
  if (dkim) out.dkim = read_dkim(*dkim);
  return out;
}

}  // namespace postern::config::detail

namespace postern::config {

std::vector<std::string> DkimSigning::default_headers() {
  return {"From",         "To",          "Cc",        "Subject",
          "Date",         "Message-ID",  "Reply-To",  "MIME-Version",
          "Content-Type", "Content-Transfer-Encoding", "In-Reply-To", "References"};
}

}  // namespace postern::config
