#include "common/config/validate.h"

#include <filesystem>
#include <set>
#include <string>

#include "common/config/route_match.h"

namespace postern::config::detail {
namespace {

std::string idx(const std::string& base, size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

void validate_internet(const Config& c, const yaml::Document& doc) {
  if (c.internet.hostname.empty()) {
    doc.fail("internet.hostname",
             "required (the host name in the SMTP banner, EHLO and Received headers)");
  }
}

void validate_listeners(const Config& c, const yaml::Document& doc) {
  std::set<std::string> names, addresses;
  for (size_t i = 0; i < c.edge.listeners.size(); ++i) {
    const Listener& l = c.edge.listeners[i];
    const std::string path = idx("edge.listeners", i);
    if (!names.insert(l.name).second) {
      doc.fail(path + ".name", "duplicate listener name \"" + l.name + "\"");
    }
    if (!addresses.insert(l.address.to_string()).second) {
      doc.fail(path + ".address", "address " + l.address.to_string() + " is used twice");
    }
    if (l.tls != ListenerTls::none && !c.edge.tls) {
      doc.fail(path + ".tls", std::string(l.tls == ListenerTls::starttls ? "starttls" : "implicit") +
                                  " needs edge.tls (cert and key)");
    }
    if (l.auth != ListenerAuth::none && l.tls == ListenerTls::none) {
      doc.fail(path + ".auth",
               "AUTH is offered only over TLS: needs tls: starttls or implicit on this listener");
    }
  }
}

void validate_routes(const Config& c, const yaml::Document& doc) {
  const auto& dests = c.router.destinations;
  std::string known;
  for (const auto& [name, d] : dests) known += (known.empty() ? "" : ", ") + name;
  std::optional<size_t> catch_all;
  for (size_t i = 0; i < c.router.routes.size(); ++i) {
    const Route& r = c.router.routes[i];
    const std::string path = idx("router.routes", i);
    if (catch_all) {
      doc.fail(path, "unreachable: " + idx("router.routes", *catch_all) +
                         " matches every domain first (\"*\" belongs in the last route)");
    }
    if (!dests.contains(r.to)) {
      doc.fail(path + ".to", "unknown destination \"" + r.to + "\" (known: " +
                                 (known.empty() ? "none" : known) + ")");
    }
    for (const auto& d : r.domains) {
      if (d == "*") catch_all = i;
    }
  }
  // Mail accepted for a local domain must have somewhere to go. A config without routes is
  // an edge-only node (its routers have their own routes), so it is not checked.
  if (c.router.routes.empty()) return;
  for (size_t i = 0; i < c.internet.local_domains.size(); ++i) {
    const std::string& domain = c.internet.local_domains[i];
    if (find_route(c.router.routes, domain) == nullptr) {
      doc.fail(idx("internet.local_domains", i),
               "no router.routes entry matches \"" + domain + "\" (its mail would have nowhere to go)");
    }
  }
}

void validate_served_by(const Config& c, const yaml::Document& doc) {
  for (const auto& [name, d] : c.router.destinations) {
    const std::string path = "router.destinations." + name + ".served_by";
    for (size_t i = 0; i < d.served_by.size(); ++i) {
      const std::string& node = d.served_by[i];
      if (node == "*") {
        if (d.served_by.size() != 1) doc.fail(idx(path, i), "\"*\" must be the only entry");
        continue;
      }
      if (node != c.node.name && !c.cluster.nodes.contains(node)) {
        doc.fail(idx(path, i), "unknown node \"" + node +
                                   "\" (expected node.name or a key of cluster.nodes)");
      }
    }
  }
}

// Settings that only take effect with cluster.tls are refused without it, so an admin never
// believes certificates are checked when they are not.
void validate_cluster_tls(const Config& c, const yaml::Document& doc) {
  if (!c.admin.tls_clients.empty() && !c.cluster.tls) {
    doc.fail("admin.tls_clients",
             "needs cluster.tls (client certificates are verified against cluster.tls.ca)");
  }
}

}  // namespace

void apply_derived_defaults(Config& config) {
  if (config.cluster.routers.empty()) config.cluster.routers.push_back(config.router.listen);
  if (config.cluster.keystores.empty()) {
    config.cluster.keystores.push_back(config.keystore.listen);
  }
  const std::filesystem::path data_dir(config.node.data_dir);
  if (config.cluster.token_file.empty()) {
    config.cluster.token_file = (data_dir / "cluster.token").string();
  }
  config.keystore.data_dir = (data_dir / "keystore").string();
  if (config.keystore.identity.empty()) {
    config.keystore.identity = (data_dir / "keystore" / "identity.key").string();
  }
  if (config.admin.token_file.empty()) {
    config.admin.token_file =
        (std::filesystem::path(config.node.data_dir) / "admin.token").string();
  }
}

void validate(const Config& config, const yaml::Document& doc) {
  validate_internet(config, doc);
  validate_listeners(config, doc);
  validate_routes(config, doc);
  validate_served_by(config, doc);
  validate_cluster_tls(config, doc);
}

}  // namespace postern::config::detail
