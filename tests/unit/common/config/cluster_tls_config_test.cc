// cluster.tls (with its routers' names), cluster.health_check_interval and admin.tls_clients
// (issue 6, transport).
#include <gtest/gtest.h>

#include "common/config/config.h"

namespace postern::config {
namespace {

constexpr const char* kHost = "internet: { hostname: mx.example.test }\n";

Config parse(const std::string& rest) { return parse_config(std::string(kHost) + rest, "p.yaml"); }

// The error for `rest` as "key: reason (line L...)" without the file name.
std::string error(const std::string& rest) {
  try {
    parse(rest);
  } catch (const ConfigError& e) {
    return e.key() + ": " + e.reason() + " @" + std::to_string(e.line());
  }
  return "no error";
}

TEST(ClusterTlsConfig, Defaults) {
  const Config c = parse("");
  EXPECT_FALSE(c.cluster.tls);
  EXPECT_EQ(c.cluster.health_check_interval, std::chrono::seconds(2));
  EXPECT_TRUE(c.admin.tls_clients.empty());
}

TEST(ClusterTlsConfig, AllKeys) {
  const Config c = parse(
      "cluster:\n"
      "  health_check_interval: 500ms\n"
      "  tls: { ca: /etc/postern/ca.pem, cert: node.pem, key: node.key,\n"
      "         server_name: Postern.Cluster., routers: [Router1, gw.cluster] }\n"
      "admin:\n"
      "  tls_clients: [Ops.Example.org, \"Jane Admin\"]\n");
  ASSERT_TRUE(c.cluster.tls);
  EXPECT_EQ(c.cluster.tls->ca, "/etc/postern/ca.pem");
  EXPECT_EQ(c.cluster.tls->cert, "node.pem");  // relative paths stay as written (cwd)
  EXPECT_EQ(c.cluster.tls->key, "node.key");
  EXPECT_EQ(c.cluster.tls->server_name, "postern.cluster");
  EXPECT_EQ(c.cluster.tls->routers, (std::vector<std::string>{"router1", "gw.cluster"}));
  EXPECT_EQ(c.cluster.health_check_interval, std::chrono::milliseconds(500));
  EXPECT_EQ(c.admin.tls_clients, (std::vector<std::string>{"ops.example.org", "jane admin"}));
}

TEST(ClusterTlsConfig, Errors) {
  EXPECT_EQ(error("cluster:\n  tls: { ca: ca.pem, cert: c.pem }\n"),
            "cluster.tls: needs ca, cert and key together (the cluster CA, this node's "
            "certificate and its private key) @3");
  EXPECT_EQ(error("cluster:\n  tls: { ca: ca.pem, cert: c.pem, key: k.pem, crl: x }\n"),
            "cluster.tls.crl: unknown key (known: ca, cert, key, server_name, routers) @3");
  EXPECT_EQ(error("cluster:\n  tls: { ca: a, cert: c, key: k, routers: [r1, R1] }\n"),
            "cluster.tls.routers[1]: duplicate name \"r1\" @3");
  EXPECT_EQ(error("cluster:\n  tls: { ca: \"\", cert: c.pem, key: k.pem }\n"),
            "cluster.tls.ca: must not be empty @3");
  EXPECT_EQ(error("cluster: { health_check_interval: 50ms }\n"),
            "cluster.health_check_interval: must be at least 100ms @2");
  EXPECT_EQ(error("cluster: { health_check_interval: 11m }\n"),
            "cluster.health_check_interval: must be at most 10m @2");
  EXPECT_EQ(error("admin: { tls_clients: [ops.example] }\n"),
            "admin.tls_clients: needs cluster.tls (client certificates are verified against "
            "cluster.tls.ca) @2");
  EXPECT_EQ(error("cluster:\n  tls: { ca: a, cert: c, key: k }\n"
                  "admin: { tls_clients: [ops, OPS] }\n"),
            "admin.tls_clients[1]: duplicate name \"ops\" @4");
}

}  // namespace
}  // namespace postern::config
