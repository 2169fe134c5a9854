// SPF macro expansion (RFC 7208 7), including the examples of 7.4.
#include <gtest/gtest.h>

#include "common/mailauth/spf/macro.h"

namespace postern::spf {
namespace {

MacroContext rfc_context(const Ip& ip) {
  MacroContext ctx;
  ctx.sender = "strong-bad@email.example.com";
  ctx.local_part = "strong-bad";
  ctx.sender_domain = "email.example.com";
  ctx.domain = "email.example.com";
  ctx.ip = ip;
  ctx.validated_name = "mx.example.org";
  ctx.helo = "mx.example.org";
  ctx.receiver = "receiver.example";
  ctx.timestamp = 1700000000;
  return ctx;
}

std::string x(std::string_view text, const MacroContext& ctx,
              MacroMode mode = MacroMode::domain) {
  return expand(text, ctx, mode).value_or("<error>");
}

TEST(SpfMacro, Rfc7208Section74Ipv4) {
  const auto ctx = rfc_context(*parse_ip("192.0.2.3"));
  EXPECT_EQ(x("%{s}", ctx), "strong-bad@email.example.com");
  EXPECT_EQ(x("%{o}", ctx), "email.example.com");
  EXPECT_EQ(x("%{d}", ctx), "email.example.com");
  EXPECT_EQ(x("%{d4}", ctx), "email.example.com");
  EXPECT_EQ(x("%{d3}", ctx), "email.example.com");
  EXPECT_EQ(x("%{d2}", ctx), "example.com");
  EXPECT_EQ(x("%{d1}", ctx), "com");
  EXPECT_EQ(x("%{dr}", ctx), "com.example.email");
  EXPECT_EQ(x("%{d2r}", ctx), "example.email");
  EXPECT_EQ(x("%{l}", ctx), "strong-bad");
  EXPECT_EQ(x("%{l-}", ctx), "strong.bad");
  EXPECT_EQ(x("%{lr}", ctx), "strong-bad");
  EXPECT_EQ(x("%{lr-}", ctx), "bad.strong");
  EXPECT_EQ(x("%{l1r-}", ctx), "strong");
  EXPECT_EQ(x("%{ir}.%{v}._spf.%{d2}", ctx), "3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(x("%{lr-}.lp._spf.%{d2}", ctx), "bad.strong.lp._spf.example.com");
  EXPECT_EQ(x("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", ctx),
            "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(x("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", ctx),
            "3.2.0.192.in-addr.strong.lp._spf.example.com");
  EXPECT_EQ(x("%{d2}.trusted-domains.example.net", ctx), "example.com.trusted-domains.example.net");
}

TEST(SpfMacro, Rfc7208Section74Ipv6) {
  const auto ctx = rfc_context(*parse_ip("2001:db8::cb01"));
  EXPECT_EQ(x("%{ir}.%{v}._spf.%{d2}", ctx),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
  EXPECT_EQ(x("%{c}", ctx, MacroMode::explanation), "2001:db8::cb01");
}

TEST(SpfMacro, Ipv4MappedIsIpv4) {
  const auto ctx = rfc_context(*parse_ip("::ffff:192.0.2.3"));
  EXPECT_EQ(x("%{i} %{v}", ctx, MacroMode::explanation), "192.0.2.3 in-addr");
}

TEST(SpfMacro, EscapesAndUrlEncoding) {
  auto ctx = rfc_context(*parse_ip("192.0.2.3"));
  EXPECT_EQ(x("a%%b%_c%-d", ctx), "a%b c%20d");
  ctx.local_part = "~jack&jill=up-a_b3.c";
  EXPECT_EQ(x("%{L}", ctx), "~jack%26jill%3Dup-a_b3.c");
  EXPECT_EQ(x("%{l}", ctx), "~jack&jill=up-a_b3.c");
  ctx.local_part = "foo-bar+zip+quux";
  EXPECT_EQ(x("%{l2r+-}", ctx), "bar.foo");
  EXPECT_EQ(x("%{l1000}", ctx), "foo-bar+zip+quux");
}

TEST(SpfMacro, ExplanationOnlyLettersAndSpaces) {
  const auto ctx = rfc_context(*parse_ip("192.0.2.3"));
  EXPECT_FALSE(expand("%{c}", ctx, MacroMode::domain));
  EXPECT_FALSE(expand("%{r}", ctx, MacroMode::domain));
  EXPECT_FALSE(expand("%{t}", ctx, MacroMode::domain));
  EXPECT_FALSE(expand("a b", ctx, MacroMode::domain));
  EXPECT_EQ(x("%{c} via %{r} at %{t}", ctx, MacroMode::explanation),
            "192.0.2.3 via receiver.example at 1700000000");
  EXPECT_EQ(x("%{p}", ctx), "mx.example.org");
}

TEST(SpfMacro, SyntaxErrors) {
  for (const char* bad : {"%", "%a", "%{", "%{d", "%{x}", "%{d0}", "%{d2r.x}", "%(ir)", "a%", "%{}",
                          "%{d!}", "\x80", "a\tb"})
    EXPECT_FALSE(is_valid_macro_string(bad, MacroMode::explanation)) << bad;
  for (const char* good : {"", "%{d}", "%{D2R.-+,/_=}", "%{ir}", "plain.text", "%%%_%-"})
    EXPECT_TRUE(is_valid_macro_string(good, MacroMode::domain)) << good;
}

TEST(SpfMacro, DomainSpecEnd) {
  EXPECT_TRUE(is_valid_domain_spec("example.com"));
  EXPECT_TRUE(is_valid_domain_spec("example.com."));
  EXPECT_TRUE(is_valid_domain_spec("%{d}"));
  EXPECT_TRUE(is_valid_domain_spec("x.%{d}%%"));
  EXPECT_TRUE(is_valid_domain_spec("%{h}.bar"));
  EXPECT_FALSE(is_valid_domain_spec(""));
  EXPECT_FALSE(is_valid_domain_spec("%{d}com"));
  EXPECT_FALSE(is_valid_domain_spec("foo-bar"));
  EXPECT_FALSE(is_valid_domain_spec("a.123"));
  EXPECT_FALSE(is_valid_domain_spec("a.-com"));
  EXPECT_FALSE(is_valid_domain_spec("a.com-"));
  EXPECT_TRUE(is_valid_domain_spec("a.1-2"));
}

TEST(SpfMacro, UsesValidatedName) {
  EXPECT_TRUE(uses_validated_name("%{p}.x.com", MacroMode::domain));
  EXPECT_TRUE(uses_validated_name("%{P2r}.x.com", MacroMode::domain));
  EXPECT_FALSE(uses_validated_name("%{d}.p.com", MacroMode::domain));
}

TEST(SpfMacro, OutputIsCapped) {
  auto ctx = rfc_context(*parse_ip("192.0.2.3"));
  const std::string long_local(1000, 'a');
  ctx.local_part = long_local;
  std::string many;
  for (int i = 0; i < 20; ++i) many += "%{l}";
  EXPECT_FALSE(expand(many, ctx, MacroMode::domain));
  EXPECT_TRUE(expand("%{l}%{l}", ctx, MacroMode::domain));
}

}  // namespace
}  // namespace postern::spf
