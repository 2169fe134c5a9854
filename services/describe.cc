#include "services/describe.h"

#include <variant>

namespace postern::services {
namespace {

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

std::string plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

std::string describe_listener(const config::Listener& l) {
  using config::ListenerAuth;
  using config::ListenerTls;
  std::string tls = l.tls == ListenerTls::none       ? "plain"
                    : l.tls == ListenerTls::starttls ? "starttls"
                                                     : "implicit tls";
  std::string out = l.name + " " + l.address.to_string() + " (" + tls;
  if (l.auth == ListenerAuth::optional) out += ", auth optional";
  if (l.auth == ListenerAuth::required) out += ", auth required";
  return out + ")";
}

std::string describe_destination(const config::Destination& d) {
  if (const auto* m = std::get_if<config::MaildirDestination>(&d.kind)) {
    return "maildir at " + m->path;
  }
  const auto& s = std::get<config::SmtpDestination>(d.kind);
  if (s.mode == config::SmtpMode::direct) {
    return "smtp direct (MX, port " + std::to_string(s.port) + ")";
  }
  std::vector<std::string> hosts;
  for (const auto& h : s.relay.hosts) hosts.push_back(h.to_string());
  return "smtp relay via " + join(hosts);
}

std::string summarize(const config::Config& c) {
  std::string out;
  out += "  node " + c.node.name + ", data_dir " + c.node.data_dir + ", hostname " +
         c.internet.hostname + "\n";
  out += "  local domains: " +
         (c.internet.local_domains.empty() ? "none" : join(c.internet.local_domains)) + "\n";
  out += "  edge: " + plural(c.edge.listeners.size(), "listener") +
         (c.edge.listeners.empty() ? "" : ":") + "\n";
  for (const auto& l : c.edge.listeners) out += "    " + describe_listener(l) + "\n";
  out += "  directory: " + plural(c.directory.users.size(), "user") + ", " +
         plural(c.directory.groups.size(), "group") + "\n";
  out += "  router " + c.router.listen.to_string() + ": " +
         plural(c.router.routes.size(), "route") + ", " +
         plural(c.router.destinations.size(), "destination") + "\n";
  for (const auto& r : c.router.routes) {
    const auto it = c.router.destinations.find(r.to);
    out += "    " + join(r.domains) + " -> " + r.to +
           (it == c.router.destinations.end() ? "" : " (" + describe_destination(it->second) + ")") +
           "\n";
  }
  out += "  admin token file: " + c.admin.token_file + "\n";
  return out;
}

}  // namespace postern::services
