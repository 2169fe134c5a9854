// Readers for the small sections: node, internet, dns, directory, keystore, cluster, admin.
#include <set>
#include <string>

#include "common/config/names.h"
#include "common/config/sections.h"

namespace postern::config::detail {

using namespace std::chrono_literals;

Node read_node(const yaml::Value& v) {
  auto m = v.map();
  auto name = m.get("name");
  auto data_dir = m.get("data_dir");
  m.finish();
  Node out;
  if (name) out.name = name->non_empty_string();
  if (data_dir) out.data_dir = data_dir->non_empty_string();
  return out;
}

Internet read_internet(const yaml::Value& v) {
  auto m = v.map();
  auto hostname = m.get("hostname");
  auto local_domains = m.get("local_domains");
  m.finish();
  Internet out;
  if (hostname) out.hostname = hostname->domain();
  if (local_domains) {
    std::set<std::string> seen;
    for (const auto& item : local_domains->list()) {
      std::string d = item.domain();
      if (!seen.insert(d).second) item.fail("duplicate domain \"" + d + "\"");
      out.local_domains.push_back(std::move(d));
    }
  }
  return out;
}

Dns read_dns(const yaml::Value& v) {
  auto m = v.map();
  auto servers = m.get("servers");
  auto timeout = m.get("timeout");
  auto tries = m.get("tries");
  m.finish();
  Dns out;
  if (servers) {
    for (const auto& item : servers->list()) out.servers.push_back(item.host_port(53));
  }
  if (timeout) out.timeout = timeout->duration(1ms);
  if (tries) out.tries = static_cast<int>(tries->integer(1, 10));
  return out;
}

Directory read_directory(const yaml::Value& v) {
  auto m = v.map();
  auto users = m.get("users");
  auto groups = m.get("groups");
  m.finish();
  Directory out;
  std::set<std::string> user_names, addresses, group_names;
  if (users) {
    for (const auto& item : users->list()) {
      auto um = item.map();
      auto name = um.require("name");
      auto addrs = um.get("addresses");
      auto password = um.get("password");
      um.finish();
      User user;
      user.name = name.non_empty_string();
      if (!user_names.insert(user.name).second) {
        name.fail("duplicate user name \"" + user.name + "\"");
      }
      if (addrs) {
        for (const auto& a : addrs->list()) {
          std::string address = a.address();
          // Compared case-insensitively: two users differing only in case would make the
          // recipient check and AUTH ambiguous.
          std::string folded = address;
          for (char& ch : folded) {
            if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
          }
          if (!addresses.insert(folded).second) {
            a.fail("address \"" + address + "\" belongs to more than one user");
          }
          user.addresses.push_back(std::move(address));
        }
      }
      if (password) {
        // Never echo the value: an admin may have pasted a clear-text password here.
        user.password = password->string();
        if (!user.password.empty() && !looks_like_argon2id_hash(user.password)) {
          password->fail(
              "must be an Argon2id hash ($argon2id$...), not a clear-text password; create "
              "one with \"postern hash-password\"");
        }
      }
      out.users.push_back(std::move(user));
    }
  }
  if (groups) {
    for (const auto& item : groups->list()) {
      auto gm = item.map();
      auto name = gm.require("name");
      auto members = gm.get("members");
      gm.finish();
      Group group;
      group.name = name.non_empty_string();
      if (!group_names.insert(group.name).second) {
        name.fail("duplicate group name \"" + group.name + "\"");
      }
      if (members) {
        for (const auto& a : members->list()) group.members.push_back(a.address());
      }
      out.groups.push_back(std::move(group));
    }
  }
  return out;
}

namespace {

// A list of client-certificate names (admin.tls_clients, cluster.tls.routers): lower-cased,
// no control characters, no duplicates.
std::vector<std::string> read_certificate_names(const yaml::Value& v) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& item : v.list()) {
    std::string name = item.non_empty_string();
    for (char& c : name) {
      if (c < 0x20 || c == 0x7f) item.fail("control characters are not allowed in a name");
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (!seen.insert(name).second) item.fail("duplicate name \"" + name + "\"");
    out.push_back(std::move(name));
  }
  return out;
}

// cluster.tls: the three files together, an optional server name, the routers' names.
ClusterTls read_cluster_tls(const yaml::Value& v) {
  auto m = v.map();
  auto ca = m.get("ca");
  auto cert = m.get("cert");
  auto key = m.get("key");
  auto server_name = m.get("server_name");
  auto routers = m.get("routers");
  m.finish();
  if (!ca || !cert || !key) {
    v.fail("needs ca, cert and key together (the cluster CA, this node's certificate and its "
           "private key)");
  }
  ClusterTls out;
  out.ca = ca->non_empty_string();
  out.cert = cert->non_empty_string();
  out.key = key->non_empty_string();
  if (server_name) out.server_name = server_name->domain();
  if (routers) out.routers = read_certificate_names(*routers);
  return out;
}

}  // namespace

Cluster read_cluster(const yaml::Value& v) {
  auto m = v.map();
  auto routers = m.get("routers");
  auto nodes = m.get("nodes");
  auto keystores = m.get("keystores");
  auto token_file = m.get("token_file");
  auto tls = m.get("tls");
  auto health_check_interval = m.get("health_check_interval");
  m.finish();
  Cluster out;
  if (tls) out.tls = read_cluster_tls(*tls);
  if (health_check_interval) {
    out.health_check_interval = health_check_interval->duration(100ms);
    if (out.health_check_interval > 10min) health_check_interval->fail("must be at most 10m");
  }
  if (routers) {
    for (const auto& item : routers->list()) out.routers.push_back(item.host_port());
  }
  if (keystores) {
    for (const auto& item : keystores->list()) out.keystores.push_back(item.host_port());
  }
  if (token_file) out.token_file = token_file->non_empty_string();
  if (nodes) {
    auto nm = nodes->map();
    for (const auto& [name, endpoint] : nm.entries()) out.nodes[name] = endpoint.host_port();
  }
  return out;
}

namespace {

constexpr std::size_t kMaxEtcdEndpoints = 16;
constexpr std::size_t kMaxEtcdPrefixBytes = 256;

// keystore.etcd.tls: the CA, and a client certificate and key only together.
EtcdTls read_etcd_tls(const yaml::Value& v) {
  auto m = v.map();
  auto ca = m.get("ca");
  auto cert = m.get("cert");
  auto key = m.get("key");
  m.finish();
  if (!ca) v.fail("needs ca (the CA that issued the etcd members' certificates)");
  if (static_cast<bool>(cert) != static_cast<bool>(key)) {
    v.fail("cert and key go together (the client certificate etcd's --client-cert-auth checks)");
  }
  EtcdTls out;
  out.ca = ca->non_empty_string();
  if (cert) out.cert = cert->non_empty_string();
  if (key) out.key = key->non_empty_string();
  return out;
}

// keystore.etcd; the prefix rule is keystore/etcd_keys.h check_prefix (repeated here so a bad
// prefix is a config error with its line, not a failure at start).
KeystoreEtcd read_keystore_etcd(const yaml::Value& v) {
  auto m = v.map();
  auto endpoints = m.get("endpoints");
  auto prefix = m.get("prefix");
  auto timeout = m.get("timeout");
  auto tls = m.get("tls");
  m.finish();
  KeystoreEtcd out;
  if (tls) out.tls = read_etcd_tls(*tls);
  if (endpoints) {
    std::set<std::string> seen;
    for (const auto& item : endpoints->list()) {
      HostPort endpoint = item.host_port();
      if (!seen.insert(endpoint.to_string()).second) {
        item.fail("duplicate endpoint \"" + endpoint.to_string() + "\"");
      }
      out.endpoints.push_back(std::move(endpoint));
    }
    if (out.endpoints.size() > kMaxEtcdEndpoints) {
      endpoints->fail("at most 16 endpoints");
    }
  }
  if (out.endpoints.empty()) {
    (endpoints ? *endpoints : v).fail(
        "keystore.etcd.endpoints is required: the etcd client endpoints (host:port, ...)");
  }
  if (prefix) {
    out.prefix = prefix->non_empty_string();
    if (out.prefix.size() > kMaxEtcdPrefixBytes) prefix->fail("at most 256 bytes");
    for (char c : out.prefix) {
      if (c < 0x21 || c > 0x7e) prefix->fail("printable ASCII without spaces");
    }
    if (out.prefix.back() != '/') prefix->fail("must end with \"/\"");
  }
  if (timeout) out.timeout = timeout->duration(100ms);
  return out;
}

}  // namespace

Keystore read_keystore(const yaml::Value& v) {
  auto m = v.map();
  auto listen = m.get("listen");
  auto backend = m.get("backend");
  auto identity = m.get("identity");
  auto etcd = m.get("etcd");
  m.finish();
  Keystore out;
  if (listen) out.listen = listen->host_port();
  if (backend) {
    out.backend = backend->one_of<KeystoreBackend>(
        {{"rocksdb", KeystoreBackend::rocksdb}, {"etcd", KeystoreBackend::etcd}});
  }
  if (identity) out.identity = identity->non_empty_string();
  if (out.backend == KeystoreBackend::etcd) {
    if (!etcd) {
      (backend ? *backend : v)
          .fail("backend: etcd needs keystore.etcd.endpoints (the etcd client endpoints)");
    }
    out.etcd = read_keystore_etcd(*etcd);
  } else if (etcd) {
    etcd->fail("only used with backend: etcd (the backend is rocksdb; remove it or set "
               "keystore.backend: etcd)");
  }
  return out;
}

Admin read_admin(const yaml::Value& v) {
  auto m = v.map();
  auto token_file = m.get("token_file");
  auto tls_clients = m.get("tls_clients");
  m.finish();
  Admin out;
  if (token_file) out.token_file = token_file->non_empty_string();
  if (tls_clients) out.tls_clients = read_certificate_names(*tls_clients);
  return out;
}

}  // namespace postern::config::detail
