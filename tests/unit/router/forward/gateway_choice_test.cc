// Who delivers to a destination and which gateways a router forwards to, in which order.
#include "router/forward/gateway_choice.h"

#include <gtest/gtest.h>

namespace postern::router::forward {
namespace {

config::Destination dest(std::vector<std::string> served_by) {
  config::Destination d;
  d.name = "internet";
  d.served_by = std::move(served_by);
  d.kind = config::SmtpDestination{};
  return d;
}

const std::map<std::string, config::HostPort> kNodes{
    {"demeter", {"127.0.0.1", 7101}}, {"hera", {"127.0.0.1", 7102}}, {"athena", {"127.0.0.1", 7001}}};

TEST(GatewayChoice, EmptyOrStarServedByMeansEveryRouterDeliversItself) {
  EXPECT_TRUE(delivers_itself(dest({}), "athena"));
  EXPECT_TRUE(delivers_itself(dest({"*"}), "athena"));
  EXPECT_TRUE(gateways_for(dest({}), "athena", kNodes).empty());
  EXPECT_EQ(describe_via(dest({"*"}), "athena"), "direct");
}

TEST(GatewayChoice, ANodeInServedByDeliversItself) {
  EXPECT_TRUE(delivers_itself(dest({"demeter", "athena"}), "athena"));
  EXPECT_TRUE(gateways_for(dest({"demeter", "athena"}), "athena", kNodes).empty());
  EXPECT_EQ(describe_via(dest({"athena"}), "athena"), "direct");
}

TEST(GatewayChoice, OthersForwardInServedByOrder) {
  const auto d = dest({"hera", "demeter"});
  EXPECT_FALSE(delivers_itself(d, "athena"));
  const auto g = gateways_for(d, "athena", kNodes);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].node, "hera");
  EXPECT_EQ(g[0].endpoint, "127.0.0.1:7102");
  EXPECT_EQ(g[1].node, "demeter");
  EXPECT_EQ(g[1].endpoint, "127.0.0.1:7101");
  EXPECT_EQ(describe_via(d, "athena"), "forward to hera, demeter");
}

TEST(GatewayChoice, NamesWithoutEndpointAndRepeatsAreSkipped) {
  const auto g = gateways_for(dest({"zeus", "demeter", "demeter"}), "athena", kNodes);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].node, "demeter");
}

TEST(GatewayChoice, NodeNamesAreExact) {
  EXPECT_FALSE(delivers_itself(dest({"Athena"}), "athena"));
  EXPECT_FALSE(delivers_itself(dest({"athena2"}), "athena"));
}

}  // namespace
}  // namespace postern::router::forward
