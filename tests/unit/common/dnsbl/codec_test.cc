// DNSBL pure parts: query names (RFC 5782 2.1/2.4), zone normalization, return-code sets and
// their interpretation (refusal codes, answers outside 127/8), reply templates and sanitizing.
#include <gtest/gtest.h>

#include "common/dnsbl/codes.h"
#include "common/dnsbl/query_name.h"
#include "common/dnsbl/reply_text.h"

namespace postern::dnsbl {
namespace {

namespace asio = boost::asio;

asio::ip::address ip(const char* text) { return asio::ip::make_address(text); }

CodeSet codes(std::vector<std::string> entries) {
  auto parsed = parse_codes(entries);
  EXPECT_TRUE(parsed.codes) << parsed.error;
  return parsed.codes.value_or(CodeSet{});
}

TEST(QueryName, Ipv4OctetsReversed) {
  EXPECT_EQ(query_name(ip("127.0.0.2"), "zen.spamhaus.org"), "2.0.0.127.zen.spamhaus.org");
  EXPECT_EQ(query_name(ip("192.0.2.1"), "bl.test"), "1.2.0.192.bl.test");
  EXPECT_EQ(query_name("198.51.100.255", "bl.test"), "255.100.51.198.bl.test");
}

TEST(QueryName, Ipv6AllNibblesReversed) {
  // RFC 5782 2.4's example: 2001:db8:1:2:3:4:567:89ab.
  EXPECT_EQ(query_name(ip("2001:db8:1:2:3:4:567:89ab"), "ugly.example.com"),
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ugly.example.com");
  const auto name = query_name(ip("2001:db8::1"), "bl.test");
  ASSERT_TRUE(name);
  EXPECT_EQ(*name, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test");
  EXPECT_EQ(name->size(), 64 + std::string("bl.test").size());
}

TEST(QueryName, V4MappedIsQueriedAsIpv4) {
  EXPECT_EQ(query_name(ip("::ffff:192.0.2.1"), "bl.test"), "1.2.0.192.bl.test");
}

TEST(QueryName, RefusesUnusableInput) {
  EXPECT_FALSE(query_name("not-an-ip", "bl.test"));
  EXPECT_FALSE(query_name("192.0.2.1\r\n", "bl.test"));
  EXPECT_FALSE(query_name("192.0.2.1.evil.test", "bl.test"));
  EXPECT_FALSE(query_name("0.0.0.0", "bl.test"));
  EXPECT_FALSE(query_name("::", "bl.test"));
  EXPECT_FALSE(query_name("192.0.2.1", ""));
}

TEST(NormalizeZone, LowercasesAndStripsTheRootDot) {
  EXPECT_EQ(normalize_zone("Zen.Spamhaus.ORG.").zone, "zen.spamhaus.org");
  EXPECT_EQ(normalize_zone("list.dnswl.org").zone, "list.dnswl.org");
  EXPECT_EQ(normalize_zone("b_l.test").zone, "b_l.test");
}

TEST(NormalizeZone, RefusesBadZonesWithAReason) {
  for (const char* bad : {"", ".", "a..b", ".a.b", "a b.test", "bl.test\n", "bl.test/x",
                          "bl.*.test"}) {
    const auto parsed = normalize_zone(bad);
    EXPECT_FALSE(parsed.zone) << bad;
    EXPECT_FALSE(parsed.error.empty()) << bad;
  }
  EXPECT_FALSE(normalize_zone(std::string(64, 'a') + ".test").zone);
  EXPECT_TRUE(normalize_zone(std::string(63, 'a') + ".test").zone);
  std::string long_zone;
  while (long_zone.size() <= kMaxZoneLength) long_zone += "abcdefghi.";
  long_zone += "test";
  EXPECT_FALSE(normalize_zone(long_zone).zone);
}

TEST(Codes, ExactBlockRangeAndMask) {
  const CodeSet set = codes({"127.0.0.2", "127.0.0.4/30", "127.0.1.10-127.0.1.11", "mask:0.0.0.64"});
  auto m = [&](const char* a) { return set.matches(asio::ip::make_address_v4(a)); };
  EXPECT_TRUE(m("127.0.0.2"));
  EXPECT_FALSE(m("127.0.0.3"));
  EXPECT_TRUE(m("127.0.0.4"));
  EXPECT_TRUE(m("127.0.0.7"));
  EXPECT_FALSE(m("127.0.0.8"));
  EXPECT_FALSE(m("127.0.1.9"));
  EXPECT_TRUE(m("127.0.1.10"));
  EXPECT_TRUE(m("127.0.1.11"));
  EXPECT_FALSE(m("127.0.1.12"));
  EXPECT_TRUE(m("127.0.0.64"));
  EXPECT_TRUE(m("127.0.0.65"));
  EXPECT_TRUE(m("127.1.0.192"));
  EXPECT_FALSE(m("10.0.0.64"));  // outside 127/8: never, whatever the mask
}

TEST(Codes, SpamhausStyleRangeLikePostscreen) {
  // postscreen: zen.spamhaus.org=127.0.0.[2..11]
  const CodeSet set = codes({"127.0.0.2-127.0.0.11"});
  EXPECT_FALSE(set.matches(asio::ip::make_address_v4("127.0.0.1")));
  for (int i = 2; i <= 11; ++i) {
    EXPECT_TRUE(set.matches(asio::ip::make_address_v4("127.0.0." + std::to_string(i)))) << i;
  }
  EXPECT_FALSE(set.matches(asio::ip::make_address_v4("127.0.0.12")));
}

TEST(Codes, EmptySetMeansAnyLoopbackAnswer) {
  const CodeSet set = codes({});
  EXPECT_TRUE(set.empty());
  EXPECT_TRUE(set.matches(asio::ip::make_address_v4("127.0.0.2")));
  EXPECT_TRUE(set.matches(asio::ip::make_address_v4("127.9.9.9")));
  EXPECT_FALSE(set.matches(asio::ip::make_address_v4("192.0.2.1")));
}

TEST(Codes, ErrorsNameTheEntry) {
  const std::vector<std::pair<std::string, std::string>> bad{
      {"10.0.0.2", "127.0.0.0/8"},
      {"127.0.0.1/24", "host bits"},
      {"127.0.0.0/99", "prefix length"},
      {"127.0.0.0/x", "not a number"},
      {"127.0.0.9-127.0.0.2", "ends before"},
      {"10.0.0.1-127.0.0.2", "127.0.0.0/8"},
      {"mask:0.0.0.0", "zero mask"},
      {"mask:banana", "mask"},
      {"mask:10.0.0.4", "low 24 bits"},
      {"127.0.0.2.5", "not an IPv4"},
      {"", "not an IPv4"},
  };
  for (const auto& [entry, why] : bad) {
    const auto parsed = parse_codes({"127.0.0.2", entry});
    EXPECT_FALSE(parsed.codes) << entry;
    EXPECT_NE(parsed.error.find("code 2"), std::string::npos) << parsed.error;
    EXPECT_NE(parsed.error.find(why), std::string::npos) << entry << ": " << parsed.error;
  }
}

TEST(Interpret, ListedNotListedRefusedBogus) {
  const CodeSet set = codes({"127.0.0.2-127.0.0.11"});
  const CodeSet refusals = default_refusal_codes();
  EXPECT_EQ(interpret({ip("127.0.0.2")}, set, refusals).result, Interpretation::listed);
  EXPECT_EQ(interpret({ip("127.0.0.2"), ip("127.0.0.10")}, set, refusals).matched.size(), 2u);
  EXPECT_EQ(interpret({ip("127.0.0.1")}, set, refusals).result, Interpretation::not_listed);
  EXPECT_EQ(interpret({ip("127.0.0.12"), ip("127.0.0.3")}, set, refusals).result,
            Interpretation::listed);
  EXPECT_EQ(interpret({}, set, refusals).result, Interpretation::not_listed);
  for (const char* refusal : {"127.255.255.252", "127.255.255.254", "127.255.255.255"}) {
    const auto r = interpret({ip(refusal)}, set, refusals);
    EXPECT_EQ(r.result, Interpretation::refused) << refusal;
    EXPECT_NE(r.error.find(refusal), std::string::npos);
  }
  // A refusal wins over a hit: the list is not usable from here.
  EXPECT_EQ(interpret({ip("127.0.0.2"), ip("127.255.255.254")}, set, refusals).result,
            Interpretation::refused);
  // Even with an "any answer" code set, a refusal is never a hit.
  EXPECT_EQ(interpret({ip("127.255.255.254")}, CodeSet{}, refusals).result,
            Interpretation::refused);
  // Wildcard / parked domain: an answer outside 127/8 is bogus, not listed.
  EXPECT_EQ(interpret({ip("192.0.2.99")}, CodeSet{}, refusals).result, Interpretation::bogus);
  EXPECT_EQ(interpret({ip("127.0.0.2"), ip("2001:db8::1")}, set, refusals).result,
            Interpretation::bogus);
}

TEST(Interpret, ZoneSpecificRefusals) {
  // dnswl.org answers 127.0.0.255 when over its limit.
  CodeSet refusals = default_refusal_codes();
  refusals.add_range({0x7f0000ff, 0x7f0000ff});
  EXPECT_EQ(interpret({ip("127.0.0.255")}, CodeSet{}, refusals).result, Interpretation::refused);
  EXPECT_EQ(interpret({ip("127.0.10.2")}, CodeSet{}, refusals).result, Interpretation::listed);
}

TEST(ReplyText, DominoPlaceholders) {
  EXPECT_EQ(format_reply("Rejected: %s is listed at %s", "192.0.2.1", "bl.test"),
            "Rejected: 192.0.2.1 is listed at bl.test");
  EXPECT_EQ(format_reply(kDefaultReplyTemplate, "192.0.2.1", "bl.test"),
            "192.0.2.1 is listed at bl.test");
  EXPECT_EQ(format_reply("Blocked (%s)", "192.0.2.1", "bl.test"), "Blocked (192.0.2.1)");
  EXPECT_EQ(format_reply("%s %s %s!", "a", "b"), "a b !");
  EXPECT_EQ(format_reply("100%% sure: %s via %s, %d %", "a", "b"), "100% sure: a via b, %d %");
  EXPECT_EQ(format_reply("no placeholders", "a", "b"), "no placeholders");
}

TEST(ReplyText, NeverMoreThanOneSafeLine) {
  const std::string evil_host = "evil.test\r\n250 OK\r\nMAIL FROM:<x>";
  const std::string out = format_reply("%s listed at %s", evil_host, "bl.test");
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(out, "evil.test 250 OK MAIL FROM:<x> listed at bl.test");
  EXPECT_EQ(sanitize("  a\tb\x01\x7f" "c\xc3\xa9 d  "), "a b c d");
  EXPECT_EQ(sanitize(std::string(1000, 'x')).size(), kMaxReplyText);
  EXPECT_EQ(sanitize(std::string(1000, 'x'), 10), std::string(10, 'x'));
  EXPECT_EQ(format_reply("%s", std::string(5000, 'y'), "z").size(), kMaxReplyText);
  for (std::size_t n = 0; n < 20; ++n) {
    const std::string s = sanitize(std::string(n, 'a') + " " + std::string(30, 'b'), 12);
    EXPECT_LE(s.size(), 12u);
    EXPECT_NE(s.back(), ' ');
  }
  EXPECT_EQ(sanitize("\r\n\r\n"), "");
}

}  // namespace
}  // namespace postern::dnsbl
