#include "common/mailauth/dkim/canonicalize.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/mime/headers.h"
#include "tests/unit/common/mailauth/dkim/test_keys.h"

namespace postern::mailauth::dkim {
namespace {

using testing::read_file;
using testing::suite_path;

// Fragment sizes every streaming parser is fed at (0 = all at once).
const std::size_t kFragments[] = {0, 1000, 100, 10, 5, 2, 1};

std::string body_in_fragments(Canon canon, std::string_view body, std::size_t size) {
  std::string out;
  BodyCanonicalizer c(canon);
  if (size == 0) {
    c.update(body, out);
  } else {
    for (std::size_t i = 0; i < body.size(); i += size) c.update(body.substr(i, size), out);
  }
  c.finish(out);
  return out;
}

// RFC 6376 3.4.6, as transcribed in ../shared/suites/dkim/rfc6376-canon.
TEST(Canonicalize, Rfc6376Example) {
  const std::string dir = suite_path("dkim/rfc6376-canon");
  ASSERT_TRUE(std::filesystem::exists(dir + "/input.eml"))
      << "conformance suite missing: " << dir << " (expected next to the source tree)";
  const std::string input = read_file(dir + "/input.eml");
  const mime::HeaderSplit split = mime::split_header_block(input);
  ASSERT_TRUE(split.has_separator);
  const auto fields = mime::parse_fields(split.headers);
  ASSERT_EQ(fields.size(), 2u);
  for (Canon canon : {Canon::simple, Canon::relaxed}) {
    std::string headers;
    for (const auto& f : fields) headers += canonicalize_header(canon, f.raw);
    EXPECT_EQ(headers, read_file(dir + "/header." + to_string(canon))) << to_string(canon);
    const std::string expected_body = read_file(dir + "/body." + to_string(canon));
    for (std::size_t n : kFragments) {
      EXPECT_EQ(body_in_fragments(canon, split.body, n), expected_body)
          << to_string(canon) << " fragment " << n;
    }
  }
}

struct BodyCase {
  const char* name;
  std::string_view body;
  std::string_view simple;
  std::string_view relaxed;
};

TEST(Canonicalize, BodyTable) {
  const BodyCase cases[] = {
      {"empty", "", "\r\n", ""},
      {"only line ends", "\r\n\r\n\r\n", "\r\n", ""},
      {"only white space lines", " \r\n\t\r\n", " \r\n\t\r\n", ""},
      {"no final line end", "abc", "abc\r\n", "abc\r\n"},
      {"trailing empty lines", "abc\r\n\r\n\r\n", "abc\r\n", "abc\r\n"},
      {"inner empty lines kept", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n"},
      {"wsp runs", "a \t b  \r\n", "a \t b  \r\n", "a b\r\n"},
      {"leading wsp kept as one space", "\t\ta\r\n", "\t\ta\r\n", " a\r\n"},
      {"white space line before end", "a\r\n  \r\n", "a\r\n  \r\n", "a\r\n"},
      {"white space line in the middle", "a\r\n \r\nb", "a\r\n \r\nb\r\n", "a\r\n\r\nb\r\n"},
      {"bare lf as crlf", "a\nb\n\n", "a\r\nb\r\n", "a\r\nb\r\n"},
      {"bare cr is content", "a\rb\r\n", "a\rb\r\n", "a\rb\r\n"},
      {"cr at the very end", "a\r", "a\r\r\n", "a\r\r\n"},
      {"cr before crlf", "a\r\r\n", "a\r\r\n", "a\r\r\n"},
      {"dot line", ".\r\n", ".\r\n", ".\r\n"},
  };
  for (const auto& c : cases) {
    for (std::size_t n : kFragments) {
      EXPECT_EQ(body_in_fragments(Canon::simple, c.body, n), c.simple) << c.name << " " << n;
      EXPECT_EQ(body_in_fragments(Canon::relaxed, c.body, n), c.relaxed) << c.name << " " << n;
    }
  }
}

struct HeaderCase {
  const char* name;
  std::string_view raw;
  std::string_view simple;
  std::string_view relaxed;
};

TEST(Canonicalize, HeaderTable) {
  const HeaderCase cases[] = {
      {"plain", "Subject: Hi\r\n", "Subject: Hi\r\n", "subject:Hi\r\n"},
      {"no line end", "Subject: Hi", "Subject: Hi\r\n", "subject:Hi\r\n"},
      {"folded", "Subject: a\r\n\tb  c \r\n", "Subject: a\r\n\tb  c \r\n", "subject:a b c\r\n"},
      {"space before colon", "To \t: x\r\n", "To \t: x\r\n", "to:x\r\n"},
      {"empty value", "X-Empty:\r\n", "X-Empty:\r\n", "x-empty:\r\n"},
      {"only white space", "X-Wsp:  \t \r\n", "X-Wsp:  \t \r\n", "x-wsp:\r\n"},
      {"bare lf", "A: b\n c\n", "A: b\r\n c\r\n", "a:b c\r\n"},
      {"value case kept", "FROM: Joe <J@X>\r\n", "FROM: Joe <J@X>\r\n", "from:Joe <J@X>\r\n"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(canonicalize_header(Canon::simple, c.raw), c.simple) << c.name;
    EXPECT_EQ(canonicalize_header(Canon::relaxed, c.raw), c.relaxed) << c.name;
  }
}

}  // namespace
}  // namespace postern::mailauth::dkim
