// The edge's per-router health and the order one submission tries routers (pure).
#include "edge/router_health.h"

#include <gtest/gtest.h>

namespace postern::edge {
namespace {

using V = std::vector<std::size_t>;

TEST(RouterHealth, UnknownRoutersAreRoundRobin) {
  RouterHealth h(3);
  EXPECT_EQ(h.order(0), (V{0, 1, 2}));
  EXPECT_EQ(h.order(1), (V{1, 2, 0}));
  EXPECT_EQ(h.order(5), (V{2, 0, 1}));
}

TEST(RouterHealth, DownRoutersComeLastWhateverTheRotation) {
  RouterHealth h(3);
  EXPECT_TRUE(h.set(1, RouterState::not_serving));
  EXPECT_EQ(h.order(0), (V{0, 2, 1}));
  EXPECT_EQ(h.order(1), (V{2, 0, 1}));
  EXPECT_TRUE(h.set(0, RouterState::unreachable));
  EXPECT_EQ(h.order(0), (V{2, 0, 1}));
  EXPECT_EQ(h.order(1), (V{2, 1, 0}));
}

TEST(RouterHealth, WhenNoneIsHealthyAllAreStillTried) {
  RouterHealth h(2);
  h.set(0, RouterState::unreachable);
  h.set(1, RouterState::not_serving);
  EXPECT_EQ(h.order(0), (V{0, 1}));
  EXPECT_EQ(h.order(1), (V{1, 0}));
}

TEST(RouterHealth, RecoveryPutsARouterBackInTheRotation) {
  RouterHealth h(2);
  h.set(0, RouterState::unreachable);
  EXPECT_EQ(h.order(0), (V{1, 0}));
  EXPECT_EQ(h.order(1), (V{1, 0}));
  EXPECT_TRUE(h.set(0, RouterState::serving));
  EXPECT_EQ(h.order(0), (V{0, 1}));
  EXPECT_EQ(h.order(1), (V{1, 0}));
}

TEST(RouterHealth, SetReportsChangesOnly) {
  RouterHealth h(1);
  EXPECT_EQ(h.state(0), RouterState::unknown);
  EXPECT_TRUE(h.set(0, RouterState::serving));
  EXPECT_FALSE(h.set(0, RouterState::serving));
  EXPECT_TRUE(h.set(0, RouterState::unreachable));
  EXPECT_FALSE(h.set(5, RouterState::serving));  // out of range: ignored
  EXPECT_STREQ(to_string(RouterState::not_serving), "not serving");
}

TEST(RouterHealth, NoRouters) {
  RouterHealth h(0);
  EXPECT_TRUE(h.order(3).empty());
}

}  // namespace
}  // namespace postern::edge
