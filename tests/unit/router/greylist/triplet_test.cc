// Triplet normalization (network reduction, case, bounds) and parameter validation. Pure.
#include <gtest/gtest.h>

#include "router/greylist/triplet.h"

namespace postern::router::greylist {
namespace {

using std::chrono::seconds;

Triplet triplet(const std::string& ip, const std::string& from = "a@b.test",
                const std::string& to = "c@d.test", int v4 = 24, int v6 = 64) {
  auto parsed = make_triplet(ip, from, to, v4, v6);
  EXPECT_TRUE(parsed.triplet) << parsed.error;
  return parsed.triplet.value_or(Triplet{});
}

TEST(Triplet, ReducesTheClientToItsNetwork) {
  EXPECT_EQ(triplet("192.0.2.77").network, "192.0.2.0/24");
  EXPECT_EQ(triplet("192.0.2.0").network, "192.0.2.0/24");  // already reduced: unchanged
  EXPECT_EQ(triplet("::ffff:192.0.2.9").network, "192.0.2.0/24");
  EXPECT_EQ(triplet("2001:db8:1:2:3:4:5:6").network, "2001:db8:1:2::/64");
  EXPECT_EQ(triplet("192.0.2.77", "a@b", "c@d", 32).network, "192.0.2.77/32");
  EXPECT_EQ(triplet("2001:db8:1:2:3:4:5:6", "a@b", "c@d", 24, 48).network, "2001:db8:1::/48");
}

TEST(Triplet, SameFarmSameKey) {
  EXPECT_EQ(store_key(triplet("192.0.2.1")), store_key(triplet("192.0.2.200")));
  EXPECT_NE(store_key(triplet("192.0.2.1")), store_key(triplet("192.0.3.1")));
  EXPECT_EQ(store_key(triplet("2001:db8::1")), store_key(triplet("2001:db8::ffff:1")));
}

TEST(Triplet, CaseInsensitiveAddressesNullSender) {
  EXPECT_EQ(store_key(triplet("192.0.2.1", "Alice@Example.TEST", "BOB@x.test")),
            store_key(triplet("192.0.2.1", "alice@example.test", "bob@x.test")));
  const Triplet null_sender = triplet("192.0.2.1", "", "bob@x.test");
  EXPECT_EQ(null_sender.sender, "");
  EXPECT_NE(store_key(null_sender), store_key(triplet("192.0.2.1", "x@y", "bob@x.test")));
}

TEST(Triplet, KeyIsFixedSizeAndFieldsCannotRunTogether) {
  const std::string key = store_key(triplet("192.0.2.1", std::string(512, 'a'), std::string(512, 'b')));
  EXPECT_EQ(key.size(), 32u);
  EXPECT_NE(store_key(triplet("192.0.2.1", "ab", "c")), store_key(triplet("192.0.2.1", "a", "bc")));
}

TEST(Triplet, RefusesBadInputWithoutEchoingIt) {
  for (const char* ip : {"", "nonsense", "192.0.2.1/24", "0.0.0.0", "::", "192.0.2.1 "}) {
    const auto parsed = make_triplet(ip, "a@b", "c@d");
    EXPECT_FALSE(parsed.triplet) << ip;
    EXPECT_EQ(parsed.error, "client address is not an IP address");
  }
  auto long_sender = make_triplet("192.0.2.1", std::string(513, 'a'), "c@d");
  EXPECT_FALSE(long_sender.triplet);
  EXPECT_NE(long_sender.error.find("sender longer"), std::string::npos);
  auto ctl = make_triplet("192.0.2.1", "a@b", "c@d\r\nX");
  EXPECT_FALSE(ctl.triplet);
  EXPECT_EQ(ctl.error, "recipient contains a control character");
  EXPECT_FALSE(make_triplet("192.0.2.1", std::string("a\0b", 3), "c@d").triplet);
  EXPECT_FALSE(make_triplet("192.0.2.1", "a@b", "c@d", 0, 64).triplet);
  EXPECT_FALSE(make_triplet("192.0.2.1", "a@b", "c@d", 24, 129).triplet);
}

TEST(Params, Validation) {
  Params p;
  EXPECT_EQ(validate(p), "");
  p.delay = seconds(0);
  EXPECT_NE(validate(p), "");
  p = Params{};
  p.retry_window = p.delay;
  EXPECT_NE(validate(p), "");
  p = Params{};
  p.expiry = seconds(0);
  EXPECT_NE(validate(p), "");
  p = Params{};
  p.expiry = kMaxParamSeconds + seconds(1);
  EXPECT_NE(validate(p), "");
  p = Params{};
  p.ipv4_prefix = 33;
  EXPECT_NE(validate(p), "");
  p = Params{};
  p.ipv6_prefix = 0;
  EXPECT_NE(validate(p), "");
}

}  // namespace
}  // namespace postern::router::greylist
