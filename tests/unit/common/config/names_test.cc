// Table tests of host:port, domain, address and password-hash recognition.
#include <gtest/gtest.h>

#include "common/config/host_port.h"
#include "common/config/names.h"

namespace postern::config {
namespace {

struct HostPortCase {
  const char* text;
  std::optional<uint16_t> default_port;
  const char* host;    // nullptr: refused
  uint16_t port;
  const char* error;   // exact reason when refused ("" = don't check)
};

TEST(ParseHostPort, Table) {
  const HostPortCase cases[] = {
      {"127.0.0.1:25", {}, "127.0.0.1", 25, ""},
      {"[::1]:25", {}, "::1", 25, ""},
      {"[2001:DB8::1]:587", {}, "2001:db8::1", 587, ""},
      {"MX.Example.com:2525", {}, "mx.example.com", 2525, ""},
      {"relay.example", uint16_t{25}, "relay.example", 25, ""},
      {"[::1]", uint16_t{53}, "::1", 53, ""},
      {"127.0.0.1", {}, nullptr, 0,
       "missing port in \"127.0.0.1\" (expected host:port, e.g. 127.0.0.1:25)"},
      {"mail:99999", {}, nullptr, 0, "port 99999 out of range (1-65535)"},
      {"mail:0", {}, nullptr, 0, "port 0 out of range (1-65535)"},
      {"mail:25x", {}, nullptr, 0, "port \"25x\" is not a number"},
      {"mail:", {}, nullptr, 0, "missing port after ':'"},
      {"::1:25", {}, nullptr, 0,
       "an IPv6 address needs brackets, e.g. [::1]:25 (got \"::1:25\")"},
      {"[::1:25", {}, nullptr, 0, "missing ']' in \"[::1:25\""},
      {"[127.0.0.1]:25", {}, nullptr, 0,
       "brackets are for IPv6 addresses (got \"[127.0.0.1]:25\")"},
      {":25", {}, nullptr, 0, "missing host in \":25\""},
      {"", {}, nullptr, 0, ""},
      {"ex ample:25", {}, nullptr, 0, "invalid host name \"ex ample\""},
  };
  for (const auto& c : cases) {
    auto parsed = parse_host_port(c.text, c.default_port);
    if (!c.host) {
      EXPECT_FALSE(parsed) << c.text;
      if (*c.error) {
        EXPECT_EQ(parsed.error, c.error) << c.text;
      }
      continue;
    }
    ASSERT_TRUE(parsed) << c.text << ": " << parsed.error;
    EXPECT_EQ(parsed.value->host, c.host) << c.text;
    EXPECT_EQ(parsed.value->port, c.port) << c.text;
  }
}

TEST(HostPortToString, BracketsIpv6Only) {
  EXPECT_EQ((HostPort{"::1", 25}).to_string(), "[::1]:25");
  EXPECT_EQ((HostPort{"127.0.0.1", 25}).to_string(), "127.0.0.1:25");
  EXPECT_EQ((HostPort{"mx.example", 2525}).to_string(), "mx.example:2525");
}

struct DomainCase {
  const char* text;
  bool wildcard;
  const char* normalized;  // nullptr: refused
};

TEST(NormalizeDomain, Table) {
  const DomainCase cases[] = {
      {"Example.TEST.", false, "example.test"},
      {"martdj.nl", false, "martdj.nl"},
      {"xn--bcher-kva.example", false, "xn--bcher-kva.example"},
      {"*", true, "*"},
      {"*.Example.com", true, "*.example.com"},
      {"*", false, nullptr},
      {"*.example.com", false, nullptr},
      {"a..b", false, nullptr},
      {".", false, nullptr},
      {"", false, nullptr},
      {"exa mple.com", false, nullptr},
      {"user@example.com", false, nullptr},
      {"b\xC3\xBC" "cher.example", false, nullptr},
      {"foo.*.example", true, nullptr},
  };
  for (const auto& c : cases) {
    auto parsed = normalize_domain(c.text, c.wildcard);
    if (!c.normalized) {
      EXPECT_FALSE(parsed) << c.text;
      continue;
    }
    ASSERT_TRUE(parsed) << c.text << ": " << parsed.error;
    EXPECT_EQ(*parsed.value, c.normalized);
  }
  EXPECT_EQ(normalize_domain("b\xC3\xBC" "cher.example").error,
            "write internationalized domain \"b\xC3\xBC" "cher.example\" in its A-label form "
            "(xn--...)");
}

TEST(NormalizeAddress, KeepsLocalPartLowersDomain) {
  EXPECT_EQ(*normalize_address("Martdj@MartDJ.NL.").value, "Martdj@martdj.nl");
  EXPECT_EQ(*normalize_address("\"a@b\"@example.test").value, "\"a@b\"@example.test");
  EXPECT_FALSE(normalize_address("no-at-sign"));
  EXPECT_FALSE(normalize_address("@example.test"));
  EXPECT_FALSE(normalize_address("a b@example.test"));
  EXPECT_FALSE(normalize_address("a@"));
}

TEST(LooksLikeArgon2id, OnlyPhcArgon2id) {
  EXPECT_TRUE(looks_like_argon2id_hash(
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"));
  EXPECT_FALSE(looks_like_argon2id_hash("$argon2i$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA"));
  EXPECT_FALSE(looks_like_argon2id_hash("$argon2id$"));
  EXPECT_FALSE(looks_like_argon2id_hash("hunter2"));
  EXPECT_FALSE(looks_like_argon2id_hash(""));
}

}  // namespace
}  // namespace postern::config
