// The token-or-certificate decision shared by every gRPC service (common/auth/authorization.h).
#include "common/auth/authorization.h"

#include <gtest/gtest.h>

namespace postern::auth {
namespace {

constexpr const char* kToken = "0123456789abcdef0123456789abcdef";
const std::string kBearer = std::string("Bearer ") + kToken;

PeerCertificate cert(std::vector<std::string> names, bool verified = true) {
  return PeerCertificate{verified, std::move(names)};
}

config::Config with_tls(std::vector<std::string> admin_names = {},
                        std::vector<std::string> router_names = {"router1", "gw.cluster"}) {
  config::Config c;
  c.cluster.tls = config::ClusterTls{"ca.pem", "node.pem", "node.key", "", std::move(router_names)};
  c.admin.tls_clients = std::move(admin_names);
  return c;
}

TEST(Authorization, AdminTokenAlone) {
  const CallerRule rule = admin_callers(with_tls({"ops.example"}), kToken);
  EXPECT_EQ(authorize(rule, kBearer, {}), Grant::token);
  EXPECT_EQ(authorize(rule, kBearer, cert({"router1"})), Grant::token);
  EXPECT_EQ(authorize(rule, "Bearer wrong", {}), Grant::refused);
}

TEST(Authorization, AdminCertificateListedByCommonNameOrSanDns) {
  const CallerRule rule = admin_callers(with_tls({"ops.example", "alice"}), kToken);
  EXPECT_EQ(authorize(rule, "", cert({"ops.example"})), Grant::certificate);
  EXPECT_EQ(authorize(rule, "", cert({"node-7", "OPS.Example"})), Grant::certificate);
  EXPECT_EQ(authorize(rule, "Bearer wrong", cert({"alice"})), Grant::certificate);
}

TEST(Authorization, AdminCertificateNotListedIsRefused) {
  const CallerRule rule = admin_callers(with_tls({"ops.example"}), kToken);
  EXPECT_EQ(authorize(rule, "", cert({"router1", "router1.cluster"})), Grant::refused);
  // No suffix, prefix or wildcard matching.
  EXPECT_EQ(authorize(rule, "", cert({"x.ops.example"})), Grant::refused);
  EXPECT_EQ(authorize(rule, "", cert({"ops.example.evil"})), Grant::refused);
  EXPECT_EQ(authorize(rule, "", cert({"*.example"})), Grant::refused);
  EXPECT_EQ(authorize(rule, "", cert({""})), Grant::refused);
}

TEST(Authorization, UnverifiedCertificateNamesCountForNothing) {
  EXPECT_EQ(authorize(admin_callers(with_tls({"ops.example"}), kToken), "",
                      cert({"ops.example"}, false)),
            Grant::refused);
  EXPECT_EQ(authorize(cluster_callers(with_tls(), kToken), "", cert({"router1"}, false)),
            Grant::refused);
}

TEST(Authorization, NothingPresentedIsRefused) {
  EXPECT_EQ(authorize(admin_callers(with_tls({"ops.example"}), kToken), "", {}), Grant::refused);
  EXPECT_EQ(authorize(cluster_callers(with_tls(), kToken), "", {}), Grant::refused);
}

TEST(Authorization, ClusterRuleTakesTheTokenOrARouterCertificate) {
  const CallerRule rule = cluster_callers(with_tls(), kToken);
  EXPECT_EQ(authorize(rule, kBearer, {}), Grant::token);
  EXPECT_EQ(authorize(rule, "", cert({"router1"})), Grant::certificate);
  EXPECT_EQ(authorize(rule, "", cert({"edge1", "GW.cluster"})), Grant::certificate);
  // The CA issues the edges' certificates too: they never reach keys, secrets or Forward.
  EXPECT_EQ(authorize(rule, "", cert({"edge1"})), Grant::refused);
  EXPECT_EQ(authorize(rule, "", cert({})), Grant::refused);
  EXPECT_EQ(authorize(rule, kBearer, cert({"edge1"})), Grant::token);
}

TEST(Authorization, WithoutRouterNamesTheClusterTokenIsRequired) {
  const CallerRule rule = cluster_callers(with_tls({}, {}), kToken);
  EXPECT_EQ(authorize(rule, "", cert({"router1"})), Grant::refused);
  EXPECT_EQ(authorize(rule, kBearer, cert({"router1"})), Grant::token);
}

TEST(Authorization, WithoutClusterTlsOnlyTokensCount) {
  config::Config plain;
  plain.admin.tls_clients = {"ops.example"};  // refused by the config check; ignored here too
  EXPECT_EQ(authorize(admin_callers(plain, kToken), "", cert({"ops.example"})), Grant::refused);
  EXPECT_EQ(authorize(cluster_callers(plain, kToken), "", cert({"router1"})), Grant::refused);
  EXPECT_EQ(authorize(cluster_callers(plain, kToken), kBearer, {}), Grant::token);
}

TEST(Authorization, AnEmptyTokenAllowsNoTokenCall) {
  const CallerRule rule = admin_callers(with_tls({"ops.example"}), "");
  EXPECT_EQ(authorize(rule, "Bearer ", {}), Grant::refused);
  EXPECT_EQ(authorize(rule, "", {}), Grant::refused);
  EXPECT_EQ(authorize(rule, "", cert({"ops.example"})), Grant::certificate);
}

TEST(Authorization, GrantNames) {
  EXPECT_STREQ(to_string(Grant::token), "token");
  EXPECT_STREQ(to_string(Grant::certificate), "certificate");
  EXPECT_STREQ(to_string(Grant::refused), "refused");
}

}  // namespace
}  // namespace postern::auth
