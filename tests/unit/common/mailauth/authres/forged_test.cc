// Forged Authentication-Results removal (RFC 8601 5): table tests over header blocks.
#include "common/mailauth/authres/forged.h"

#include <gtest/gtest.h>

#include <string>

namespace postern::mailauth::authres {
namespace {

constexpr std::string_view kOurs = "mx.example.org";

struct ForgedCase {
  const char* name;
  std::string_view in;
  std::string_view out;
  std::size_t removed;
};

TEST(ForgedAuthres, Table) {
  const ForgedCase cases[] = {
      {"ours removed, theirs kept",
       "Received: x\r\n"
       "Authentication-Results: mx.example.org; dkim=pass header.d=bank.example\r\n"
       "Authentication-Results: mx.other.example; spf=fail\r\n"
       "Subject: hi\r\n",
       "Received: x\r\n"
       "Authentication-Results: mx.other.example; spf=fail\r\n"
       "Subject: hi\r\n",
       1},
      {"case, comments, quotes, folding, obs name",
       "authentication-results: MX.EXAMPLE.ORG; none\r\n"
       "Authentication-Results: (x) \"mx.example.org\" 1; dmarc=pass\r\n"
       "Authentication-Results:\r\n"
       "\tmx.example.org;\r\n"
       "\tspf=pass\r\n"
       "Authentication-Results : mx.example.org.; none\r\n"
       "To: a@b.example\r\n",
       "To: a@b.example\r\n", 4},
      {"similar ids kept",
       "Authentication-Results: mx.example.org.evil; none\r\n"
       "Authentication-Results: example.org; none\r\n"
       "X-Authentication-Results: mx.example.org; none\r\n",
       "Authentication-Results: mx.example.org.evil; none\r\n"
       "Authentication-Results: example.org; none\r\n"
       "X-Authentication-Results: mx.example.org; none\r\n",
       0},
      {"unparseable removed", "Authentication-Results: (mx.example.org; none\r\nA: b\r\n",
       "A: b\r\n", 1},
      {"junk after our id still removed",
       "Authentication-Results: mx.example.org garbage dkim=pass\r\n", "", 1},
      {"non-field lines kept byte for byte",
       "not a field\r\n"
       "Authentication-Results: mx.example.org; none\r\n"
       " \r\n"
       "B: c\n",
       "not a field\r\nB: c\n", 1},
      {"last field without line end", "A: b\r\nAuthentication-Results: mx.example.org; none",
       "A: b\r\n", 1},
      {"empty block", "", "", 0},
  };
  for (const auto& c : cases) {
    const ForgedRemoval r = remove_forged(c.in, kOurs);
    EXPECT_EQ(r.header_block, c.out) << c.name;
    EXPECT_EQ(r.removed, c.removed) << c.name;
  }
}

TEST(ForgedAuthres, UnparseableCanBeKept) {
  const std::string_view block = "Authentication-Results: (mx.example.org; none\r\n";
  const ForgedRemoval r = remove_forged(block, kOurs, Unparseable::keep);
  EXPECT_EQ(r.header_block, block);
  EXPECT_EQ(r.removed, 0u);
}

TEST(ForgedAuthres, ManyFieldsLinear) {
  std::string block;
  for (int i = 0; i < 5000; ++i) {
    block += "Authentication-Results: mx.example.org; none\r\n";
    block += "Authentication-Results: other.example; none\r\n";
  }
  const ForgedRemoval r = remove_forged(block, kOurs);
  EXPECT_EQ(r.removed, 5000u);
  EXPECT_EQ(r.header_block.size(), 5000u * std::string("Authentication-Results: other.example; none\r\n").size());
}

}  // namespace
}  // namespace postern::mailauth::authres
