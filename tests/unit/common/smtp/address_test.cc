#include "common/smtp/codec/address.h"

#include <gtest/gtest.h>

namespace postern::smtp::codec {
namespace {

struct Valid {
  const char* input;
  PathKind kind;
  bool utf8;
  const char* local;
  const char* domain;
};

TEST(ParsePath, AcceptsRfc5321Mailboxes) {
  const Valid cases[] = {
      {"<a@b.c>", PathKind::forward, false, "a", "b.c"},
      {"<A.B@EXAMPLE.Com.>", PathKind::forward, false, "A.B", "example.com"},
      {"<first.last+tag@sub.example.org>", PathKind::reverse, false, "first.last+tag",
       "sub.example.org"},
      {"<\"john doe\"@x.org>", PathKind::forward, false, "\"john doe\"", "x.org"},
      {"<\"a\\\"b>c\"@x.org>", PathKind::forward, false, "\"a\\\"b>c\"", "x.org"},
      {"<@r1.example,@r2.example:u@d.example>", PathKind::forward, false, "u", "d.example"},
      {"<u@[192.0.2.1]>", PathKind::forward, false, "u", "[192.0.2.1]"},
      {"<u@[IPv6:2001:DB8::1]>", PathKind::forward, false, "u", "[ipv6:2001:db8::1]"},
      {"<>", PathKind::reverse, false, "", ""},
      {"<Postmaster>", PathKind::forward, false, "postmaster", ""},
      {"<postmaster@example.org>", PathKind::forward, false, "postmaster", "example.org"},
      {"<j\xc3\xb6rg@b\xc3\xbc" "cher.de>", PathKind::forward, true, "j\xc3\xb6rg",
       "b\xc3\xbc" "cher.de"},
      {"<x@localhost>", PathKind::forward, false, "x", "localhost"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    const PathResult r = parse_path(c.input, c.kind, c.utf8);
    ASSERT_TRUE(r.ok()) << static_cast<int>(r.error);
    EXPECT_EQ(r.mailbox.local, c.local);
    EXPECT_EQ(r.mailbox.domain, c.domain);
    EXPECT_EQ(r.consumed, std::string_view(c.input).size());
  }
}

TEST(ParsePath, StopsAtTheClosingBracket) {
  const PathResult r = parse_path("<a@b.c> SIZE=10", PathKind::reverse, false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, 7u);
  EXPECT_EQ(r.mailbox.to_string(), "a@b.c");
}

struct Invalid {
  std::string input;
  PathKind kind;
  bool utf8;
  AddressError error;
};

TEST(ParsePath, RefusesWhatTheGrammarDoesNotAllow) {
  const std::string local64(64, 'l');
  const std::string label63(63, 'd');
  const std::string domain253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'd');
  const Invalid cases[] = {
      {"<>", PathKind::forward, false, AddressError::syntax},
      {"<postmaster>", PathKind::reverse, false, AddressError::syntax},
      {"a@b.c", PathKind::forward, false, AddressError::syntax},
      {"<a@b.c", PathKind::forward, false, AddressError::syntax},
      {"<a@>", PathKind::forward, false, AddressError::syntax},
      {"<@b.c>", PathKind::forward, false, AddressError::syntax},
      {"<a>", PathKind::forward, false, AddressError::syntax},
      {"<a.@b.c>", PathKind::forward, false, AddressError::syntax},
      {"<.a@b.c>", PathKind::forward, false, AddressError::syntax},
      {"<a..b@c.d>", PathKind::forward, false, AddressError::syntax},
      {"<a@b..c>", PathKind::forward, false, AddressError::syntax},
      {"<a@-b.c>", PathKind::forward, false, AddressError::syntax},
      {"<a@b-.c>", PathKind::forward, false, AddressError::syntax},
      {"<a@b_c.d>", PathKind::forward, false, AddressError::syntax},
      {"<a b@c.d>", PathKind::forward, false, AddressError::syntax},
      {"<a@b@c.d>", PathKind::forward, false, AddressError::syntax},
      {"<\"unterminated@b.c>", PathKind::forward, false, AddressError::syntax},
      {"<\"a\"b@c.d>", PathKind::forward, false, AddressError::syntax},
      {"<a@[1.2.3]>", PathKind::forward, false, AddressError::syntax},
      {"<a@[300.1.1.1]>", PathKind::forward, false, AddressError::syntax},
      {"<a@[IPv6:zz::1]>", PathKind::forward, false, AddressError::syntax},
      {"<a@[x-tag:foo]>", PathKind::forward, false, AddressError::syntax},
      {"<@r1.example:>", PathKind::forward, false, AddressError::syntax},
      {"<@r1..example:a@b.c>", PathKind::forward, false, AddressError::syntax},
      {"<j\xc3\xb6rg@x.de>", PathKind::forward, false, AddressError::non_ascii},
      {"<jorg@b\xc3\xbc" "cher.de>", PathKind::reverse, false, AddressError::non_ascii},
      {"<j\xff@x.de>", PathKind::forward, true, AddressError::syntax},
      {"<j\xc0\xaf@x.de>", PathKind::forward, true, AddressError::syntax},  // overlong '/'
      {"<" + local64 + "l@x.de>", PathKind::forward, false, AddressError::local_too_long},
      // The 256-octet path limit is reached before the 255-octet domain limit can be.
      {"<a@" + domain253 + "dd.de>", PathKind::forward, false, AddressError::path_too_long},
      {"<" + local64 + "@" + domain253 + ".d>", PathKind::forward, false,
       AddressError::path_too_long},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(parse_path(c.input, c.kind, c.utf8).error, c.error);
  }
}

TEST(ParsePath, LimitsAreInclusive) {
  const std::string local64(64, 'l');
  EXPECT_TRUE(parse_path("<" + local64 + "@x.de>", PathKind::forward, false).ok());
}

TEST(NormaliseDomain, LowerCasesAndStripsTheTrailingDot) {
  EXPECT_EQ(normalise_domain("Mail.Example.ORG.", false, false), "mail.example.org");
  EXPECT_EQ(normalise_domain("[127.0.0.1]", false, false), "");
  EXPECT_EQ(normalise_domain("[127.0.0.1]", false, true), "[127.0.0.1]");
  EXPECT_EQ(normalise_domain(".", false, false), "");
  EXPECT_EQ(normalise_domain("", false, false), "");
}

TEST(ValidUtf8, RejectsMalformedSequences) {
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("\xe2\x82\xac"));          // U+20AC
  EXPECT_TRUE(valid_utf8("\xf0\x9f\x98\x80"));      // U+1F600
  EXPECT_FALSE(valid_utf8("\xe2\x82"));             // truncated
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));         // surrogate
  EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));         // overlong
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));     // > U+10FFFF
  EXPECT_FALSE(valid_utf8("\x80"));
}

}  // namespace
}  // namespace postern::smtp::codec
