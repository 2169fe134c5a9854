#include "common/mime/headers.h"

#include <gtest/gtest.h>

namespace postern::mime {
namespace {

struct SplitCase {
  const char* name;
  std::string_view message;
  std::string_view headers;
  std::string_view body;
  bool has_separator;
};

TEST(SplitHeaderBlock, Table) {
  const SplitCase cases[] = {
      {"crlf", "A: 1\r\nB: 2\r\n\r\nbody\r\n", "A: 1\r\nB: 2\r\n", "body\r\n", true},
      {"bare lf", "A: 1\nB: 2\n\nbody\n", "A: 1\nB: 2\n", "body\n", true},
      {"no body", "A: 1\r\n\r\n", "A: 1\r\n", "", true},
      {"no separator", "A: 1\r\nB: 2\r\n", "A: 1\r\nB: 2\r\n", "", false},
      {"no final line end", "A: 1", "A: 1", "", false},
      {"empty first line", "\r\nbody", "", "body", true},
      {"empty input", "", "", "", false},
      {"blank line in body kept", "A: 1\r\n\r\nx\r\n\r\ny", "A: 1\r\n", "x\r\n\r\ny", true},
      {"lone CR is not a line end", "A: 1\r\n\rB\r\n\r\nz", "A: 1\r\n\rB\r\n", "z", true},
  };
  for (const auto& c : cases) {
    const HeaderSplit s = split_header_block(c.message);
    EXPECT_EQ(s.headers, c.headers) << c.name;
    EXPECT_EQ(s.body, c.body) << c.name;
    EXPECT_EQ(s.has_separator, c.has_separator) << c.name;
  }
}

TEST(ParseFields, FoldedFieldsKeepTheirContinuations) {
  const std::string_view block =
      "Subject: hello\r\n"
      " world\r\n"
      "\tagain\r\n"
      "From: a@example.org\r\n";
  const auto fields = parse_fields(block);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].name, "Subject");
  EXPECT_EQ(fields[0].raw_value, " hello\r\n world\r\n\tagain");
  EXPECT_EQ(fields[0].raw, "Subject: hello\r\n world\r\n\tagain\r\n");
  EXPECT_EQ(fields[1].name, "From");
  EXPECT_EQ(fields[1].raw_value, " a@example.org");
}

TEST(ParseFields, SkipsLinesThatAreNotFields) {
  const std::string_view block =
      " leading continuation\r\n"
      "no colon here\r\n"
      " continuation of a skipped line\r\n"
      "Bad Name: x\r\n"
      "Obs-Name : y\r\n"
      ": empty name\r\n"
      "To: b@example.org\r\n";
  const auto fields = parse_fields(block);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].name, "Obs-Name");
  EXPECT_EQ(fields[0].raw_value, " y");
  EXPECT_EQ(fields[1].name, "To");
}

TEST(ParseFields, LastFieldWithoutLineEnd) {
  const auto fields = parse_fields("X: 1\r\nY: 2");
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[1].raw_value, " 2");
  EXPECT_EQ(fields[1].raw, "Y: 2");
}

TEST(Unfold, Table) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {" hello", "hello"},
      {" hello\r\n world", "hello world"},
      {" a\r\n\tb \t", "a\tb"},
      {"\r\n x", "x"},
      {" bare\rcr\nlf", "barecrlf"},
      {"", ""},
      {" \t ", ""},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(unfold(in), out) << in;
}

TEST(FindField, CaseInsensitiveFirstMatchUnfolded) {
  const std::string_view block =
      "message-id: <1@example.org>\r\n"
      "Subject: first\r\n"
      " part\r\n"
      "SUBJECT: second\r\n";
  EXPECT_EQ(find_field(block, "Message-ID"), "<1@example.org>");
  EXPECT_EQ(find_field(block, "subject"), "first part");
  EXPECT_EQ(find_field(block, "Date"), std::nullopt);
  EXPECT_EQ(find_field(block, ""), std::nullopt);
}

TEST(FindField, NamePrefixIsNotAMatch) {
  EXPECT_EQ(find_field("Subjects: x\r\n", "Subject"), std::nullopt);
}

TEST(Iequals, Table) {
  EXPECT_TRUE(iequals("Example.ORG", "example.org"));
  EXPECT_FALSE(iequals("example.org", "example.or"));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_TRUE(iequals("", ""));
}

}  // namespace
}  // namespace postern::mime
