// SPF address and domain helpers.
#include <gtest/gtest.h>

#include "common/mailauth/spf/address.h"
#include "common/mailauth/spf/domain.h"

namespace postern::spf {
namespace {

TEST(SpfAddress, StrictIpv4) {
  EXPECT_TRUE(parse_ip4("192.0.2.1"));
  EXPECT_TRUE(parse_ip4("0.0.0.0"));
  for (const char* bad : {"192.0.2", "192.0.2.1.", "192.0.2.256", "192.0.02.1", "1.2.3.4/32",
                          " 1.2.3.4", "1..2.3", "", "1.2.3.1234"})
    EXPECT_FALSE(parse_ip4(bad)) << bad;
}

TEST(SpfAddress, Ipv6AndMapped) {
  auto v6 = parse_ip6("2001:DB8::1");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->v6);
  EXPECT_EQ(to_text(*v6), "2001:db8::1");
  auto mapped = parse_ip("::FFFF:1.2.3.4");
  ASSERT_TRUE(mapped);
  EXPECT_FALSE(mapped->v6);
  EXPECT_EQ(to_text(*mapped), "1.2.3.4");
  EXPECT_FALSE(parse_ip6("::CAFE::BABE"));
  EXPECT_FALSE(parse_ip6(std::string(100, ':')));
}

TEST(SpfAddress, Networks) {
  const Ip ip = *parse_ip("192.0.2.130");
  EXPECT_TRUE(in_network(ip, *parse_ip("192.0.2.128"), 25));
  EXPECT_FALSE(in_network(ip, *parse_ip("192.0.2.0"), 25));
  EXPECT_TRUE(in_network(ip, *parse_ip("10.0.0.0"), 0));
  EXPECT_FALSE(in_network(ip, *parse_ip("::"), 0));  // families never mix
  EXPECT_FALSE(in_network(ip, *parse_ip("192.0.2.130"), 33));
  const Ip v6 = *parse_ip("2001:db8:1234::cafe:babe");
  EXPECT_TRUE(in_network(v6, *parse_ip("2001:db8:1234::dead:beef"), 64));
  EXPECT_FALSE(in_network(v6, *parse_ip("2001:db8:1234::dead:beef"), 128));
}

TEST(SpfAddress, DottedForms) {
  EXPECT_EQ(to_dotted(*parse_ip("192.0.2.3")), "192.0.2.3");
  EXPECT_EQ(to_dotted(*parse_ip("2001:db8::cb01")),
            "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
}

TEST(SpfDomain, Checkable) {
  EXPECT_TRUE(is_checkable_domain("example.com"));
  EXPECT_TRUE(is_checkable_domain("example.com."));
  EXPECT_TRUE(is_checkable_domain(std::string(63, 'a') + ".example.com"));
  EXPECT_FALSE(is_checkable_domain(std::string(64, 'a') + ".example.com"));
  EXPECT_FALSE(is_checkable_domain("A...example.com"));
  EXPECT_FALSE(is_checkable_domain("A2345678"));
  EXPECT_FALSE(is_checkable_domain("[1.2.3.5]"));
  EXPECT_FALSE(is_checkable_domain(""));
  EXPECT_FALSE(is_checkable_domain("JUMPIN' JUPITER"));
  std::string long_name;
  while (long_name.size() < 260) long_name += "abcdefghi.";
  EXPECT_FALSE(is_checkable_domain(long_name + "com"));
}

TEST(SpfDomain, QueryNameTruncation) {
  EXPECT_EQ(to_query_name("example.com."), "example.com");
  EXPECT_FALSE(to_query_name("mail.example...com"));
  EXPECT_FALSE(to_query_name(std::string(64, 'a') + ".com"));
  EXPECT_FALSE(to_query_name(""));
  std::string name;
  for (int i = 0; i < 40; ++i) name += "label" + std::to_string(i) + ".";
  name += "example.com";
  const auto truncated = to_query_name(name);
  ASSERT_TRUE(truncated);
  EXPECT_LE(truncated->size(), 253u);
  EXPECT_GT(truncated->size(), 240u);
  EXPECT_TRUE(truncated->ends_with(".example.com"));
  EXPECT_TRUE(truncated->starts_with("label"));  // whole labels removed from the left
}

TEST(SpfDomain, Within) {
  EXPECT_TRUE(is_within("mail.Example.com", "example.COM"));
  EXPECT_TRUE(is_within("example.com.", "example.com"));
  EXPECT_FALSE(is_within("badexample.com", "example.com"));
  EXPECT_FALSE(is_within("com", "example.com"));
}

}  // namespace
}  // namespace postern::spf
