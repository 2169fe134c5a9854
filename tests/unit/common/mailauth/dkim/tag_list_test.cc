#include "common/mailauth/dkim/tag_list.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "common/mailauth/dkim/limits.h"

namespace postern::mailauth::dkim {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs pairs(const TagList& list) {
  Pairs out;
  for (const Tag& t : list.tags) out.emplace_back(t.name, t.value);
  return out;
}

struct Good {
  const char* name;
  std::string_view text;
  Pairs expected;
};

TEST(ParseTagList, Accepts) {
  const Good cases[] = {
      {"empty", "", {}},
      {"one", "v=1", {{"v", "1"}}},
      {"trailing semicolon", "v=1;", {{"v", "1"}}},
      {"trailing semicolon and fws", "v=1; \r\n ", {{"v", "1"}}},
      {"spaces everywhere", " a = 1 ;\tb\t=\t2 ", {{"a", "1"}, {"b", "2"}}},
      {"folded value keeps interior fws", "b=abc\r\n def; c=x", {{"b", "abc\r\n def"}, {"c", "x"}}},
      {"bare lf folding", "b=abc\n\tdef", {{"b", "abc\n\tdef"}}},
      {"empty value", "a=; b=2", {{"a", ""}, {"b", "2"}}},
      {"name with digit and underscore", "x_1=y", {{"x_1", "y"}}},
      {"value with = and :", "h=from:to; p=ab==", {{"h", "from:to"}, {"p", "ab=="}}},
      {"case-sensitive names are distinct", "a=1; A=2", {{"a", "1"}, {"A", "2"}}},
      {"utf-8 in value (RFC 8616)", "i=j\xc3\xb6@x", {{"i", "j\xc3\xb6@x"}}},
  };
  for (const auto& c : cases) {
    const TagList list = parse_tag_list(c.text);
    EXPECT_TRUE(list.ok()) << c.name << ": " << list.error;
    EXPECT_EQ(pairs(list), c.expected) << c.name;
  }
}

TEST(ParseTagList, Rejects) {
  const std::pair<const char*, std::string_view> cases[] = {
      {"no equals", "v"},
      {"empty tag-spec", "a=1;;b=2"},
      {"name starts with digit", "1a=2"},
      {"name with hyphen", "a-b=2"},
      {"duplicate", "a=1; a=2"},
      {"control char in value", std::string_view("a=x\x01y", 5)},
      {"nul in value", std::string_view("a=x\0y", 5)},
      {"bare cr", "a=x\ry"},
      {"line end without wsp", "a=x\r\nb=y"},
      {"line end at the very end", "a=x\r\n"},
      {"only semicolon", ";"},
      {"equals without name", "=1"},
  };
  for (const auto& [name, text] : cases) {
    const TagList list = parse_tag_list(text);
    EXPECT_FALSE(list.ok()) << name;
    EXPECT_TRUE(list.tags.empty()) << name;
  }
}

TEST(ParseTagList, Caps) {
  std::string many;
  for (std::size_t i = 0; i <= kMaxTags; ++i) many += "t" + std::to_string(i) + "=x;";
  EXPECT_FALSE(parse_tag_list(many).ok());
  EXPECT_FALSE(parse_tag_list("a=" + std::string(kMaxTagListBytes, 'x')).ok());
  EXPECT_TRUE(parse_tag_list("a=" + std::string(kMaxTagListBytes - 2, 'x')).ok());
}

TEST(ParseTagList, FindIsCaseSensitive) {
  const TagList list = parse_tag_list("d=example.org; S=sel");
  ASSERT_TRUE(list.ok());
  ASSERT_NE(list.find("d"), nullptr);
  EXPECT_EQ(list.find("d")->value, "example.org");
  EXPECT_EQ(list.find("s"), nullptr);
}

TEST(StripFws, RemovesAllWhiteSpace) {
  EXPECT_EQ(strip_fws(" ab\r\n c\td \n e "), "abcde");
}

TEST(SplitList, TrimsAndKeepsEmpties) {
  EXPECT_EQ(split_list("from : to\r\n :subject", ':'),
            (std::vector<std::string_view>{"from", "to", "subject"}));
  EXPECT_EQ(split_list("a::b", ':'), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(split_list("", ':'), (std::vector<std::string_view>{""}));
}

}  // namespace
}  // namespace postern::mailauth::dkim
