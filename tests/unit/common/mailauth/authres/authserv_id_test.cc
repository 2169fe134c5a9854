// The authserv-id of an existing Authentication-Results field: table tests.
#include "common/mailauth/authres/authserv_id.h"

#include <gtest/gtest.h>

#include <string>

namespace postern::mailauth::authres {
namespace {

struct IdCase {
  const char* name;
  std::string_view value;
  std::optional<std::string_view> id;
  std::optional<unsigned> version;
  bool well_formed;
};

TEST(AuthservId, Table) {
  const IdCase cases[] = {
      {"plain", " mx.example.org; spf=pass smtp.mailfrom=a@b", "mx.example.org", {}, true},
      {"none", " mx.example.org; none", "mx.example.org", {}, true},
      {"no space", "mx.example.org;spf=pass", "mx.example.org", {}, true},
      {"only id", " mx.example.org", "mx.example.org", {}, true},
      {"version", " mx.example.org 1; none", "mx.example.org", 1u, true},
      {"comments everywhere", " (c1) mx.example.org (c2 (nested)) 1 (c3); none",
       "mx.example.org", 1u, true},
      {"comment glued", " mx.example.org(comment);none", "mx.example.org", {}, true},
      {"quoted", " \"mx.example.org\"; none", "mx.example.org", {}, true},
      {"quoted with escapes", " \"mx\\\"x\\\\y\"; none", "mx\"x\\y", {}, true},
      {"folded", "\r\n\tmx.example.org;\r\n\tspf=pass", "mx.example.org", {}, true},
      {"escaped paren in comment", " (a \\) b) mx.example.org; none", "mx.example.org", {},
       true},
      {"utf8 id", " m\xc3\xbc.example; none", "m\xc3\xbc.example", {}, true},
      {"junk after id", " mx.example.org junk; spf=pass", "mx.example.org", {}, false},
      {"junk after version", " mx.example.org 1 x; none", "mx.example.org", 1u, false},
      {"unterminated comment after id", " mx.example.org (oops", "mx.example.org", {}, false},
      {"empty", "", {}, {}, false},
      {"blank", "  \r\n ", {}, {}, false},
      {"only semicolon", " ; spf=pass", {}, {}, false},
      {"empty quoted", " \"\"; none", {}, {}, false},
      {"unterminated quote", " \"mx.example.org; none", {}, {}, false},
      {"unterminated comment", " (mx.example.org; none", {}, {}, false},
      {"tspecial first", " =mx.example.org", {}, {}, false},
  };
  for (const auto& c : cases) {
    const auto got = parse_authserv_id(c.value);
    ASSERT_EQ(got.has_value(), c.id.has_value()) << c.name;
    if (!got) continue;
    EXPECT_EQ(got->id, *c.id) << c.name;
    EXPECT_EQ(got->version, c.version) << c.name;
    EXPECT_EQ(got->well_formed, c.well_formed) << c.name;
  }
}

TEST(AuthservId, Caps) {
  std::string deep = " ";
  for (int i = 0; i <= kMaxCommentDepth; ++i) deep += '(';
  for (int i = 0; i <= kMaxCommentDepth; ++i) deep += ')';
  EXPECT_FALSE(parse_authserv_id(deep + " mx.example.org; none"));
  std::string ok = " ";
  for (int i = 0; i < kMaxCommentDepth; ++i) ok += '(';
  for (int i = 0; i < kMaxCommentDepth; ++i) ok += ')';
  EXPECT_TRUE(parse_authserv_id(ok + " mx.example.org; none"));
  // An id that is only found after the scan window is not guessed.
  EXPECT_FALSE(parse_authserv_id("(" + std::string(kMaxScanBytes, 'x') + ") mx.example.org"));
  // An id cut by the window is not completed.
  EXPECT_FALSE(parse_authserv_id(" " + std::string(kMaxScanBytes + 10, 'm')));
}

TEST(AuthservId, Comparison) {
  EXPECT_TRUE(same_authserv_id("MX.Example.ORG", "mx.example.org"));
  EXPECT_TRUE(same_authserv_id("mx.example.org.", "mx.example.org"));
  EXPECT_FALSE(same_authserv_id("mx.example.org", "mx.example.org.evil"));
  EXPECT_FALSE(same_authserv_id("", ""));
  EXPECT_FALSE(same_authserv_id("example.org", "mx.example.org"));
}

}  // namespace
}  // namespace postern::mailauth::authres
