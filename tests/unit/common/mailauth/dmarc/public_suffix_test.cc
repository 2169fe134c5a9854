// The Organizational Domain via libpsl against the Public Suffix List's own test cases
// (checkPublicSuffix lines of test_psl.txt in the workspace's shared suites).
#include "common/mailauth/dmarc/public_suffix.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>

namespace postern::mailauth::dmarc {
namespace {

struct SuiteCase {
  int line = 0;
  std::string input;     // "" for null
  std::string expected;  // "" for null
};

// checkPublicSuffix('input', 'expected'); with null for either. Commented lines are skipped.
std::vector<SuiteCase> load_suite() {
  std::ifstream in(POSTERN_PSL_SUITE);
  if (!in) {
    ADD_FAILURE() << "PSL test suite missing: cannot open " << POSTERN_PSL_SUITE
                  << " (the workspace's shared/suites, next to the source tree)";
  }
  const std::regex re(R"(^checkPublicSuffix\((null|'[^']*'),\s*(null|'[^']*')\);)");
  std::vector<SuiteCase> cases;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::smatch m;
    if (!std::regex_search(line, m, re)) continue;
    auto unquote = [](const std::string& s) {
      return s == "null" ? std::string() : s.substr(1, s.size() - 2);
    };
    cases.push_back({n, unquote(m[1]), unquote(m[2])});
  }
  return cases;
}

class PublicSuffixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto list = PublicSuffixList::system();
    ASSERT_TRUE(list.has_value()) << "no Public Suffix List (package publicsuffix)";
    list_ = new PublicSuffixList(std::move(*list));
  }
  static void TearDownTestSuite() {
    delete list_;
    list_ = nullptr;
  }
  static PublicSuffixList* list_;
};
PublicSuffixList* PublicSuffixTest::list_ = nullptr;

TEST_F(PublicSuffixTest, SuiteFromThePublicSuffixList) {
  const auto cases = load_suite();
  ASSERT_GE(cases.size(), 70u) << "suite file looks truncated";
  for (const auto& c : cases) {
    EXPECT_EQ(list_->organizational_domain(c.input), c.expected)
        << "test_psl.txt line " << c.line << ": " << c.input;
  }
}

TEST_F(PublicSuffixTest, DmarcExamples) {
  EXPECT_EQ(list_->organizational_domain("mail.example.co.uk"), "example.co.uk");
  EXPECT_EQ(list_->organizational_domain("a.b.example.com."), "example.com");
  EXPECT_EQ(list_->organizational_domain("co.uk"), "");
  EXPECT_EQ(list_->organizational_domain(""), "");
}

TEST(PublicSuffixLoad, ExplicitFileAndMissingFile) {
  EXPECT_FALSE(PublicSuffixList::load("/nonexistent/public_suffix_list.dat").has_value());
  const auto file = PublicSuffixList::load(std::string(kDebianPslFile));
  ASSERT_TRUE(file.has_value()) << "Debian's publicsuffix package is expected to be installed";
  EXPECT_EQ(file->organizational_domain("www.example.com.au"), "example.com.au");
}

}  // namespace
}  // namespace postern::mailauth::dmarc
