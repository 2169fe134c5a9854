#include "common/smtp/reply.h"

#include <gtest/gtest.h>

namespace postern::smtp {
namespace {

TEST(Reply, WireFormMultiLine) {
  Reply r(250, {2, 0, 0}, std::vector<std::string>{"first", "last"});
  EXPECT_EQ(r.wire(), "250-2.0.0 first\r\n250 2.0.0 last\r\n");
  EXPECT_EQ(Reply::plain(220, "mx ESMTP").wire(), "220 mx ESMTP\r\n");
}

TEST(Reply, MalformedFallsBackTo451) {
  EXPECT_EQ(Reply(250, {5, 0, 0}, "mismatch").to_string(),
            "451 4.3.0 Internal error: malformed reply suppressed");
  EXPECT_EQ(Reply(250, {2, 0, 0}, "a\r\nb").code(), 451);
  EXPECT_EQ(Reply(600, {}, "x").code(), 451);
}

TEST(Reply, ParseEnhancedStatus) {
  std::size_t used = 0;
  EXPECT_EQ(parse_enhanced_status("5.1.1 no such user", &used), (EnhancedStatus{5, 1, 1}));
  EXPECT_EQ(used, 6u);
  EXPECT_FALSE(parse_enhanced_status("3.1.1 x").present());
  EXPECT_FALSE(parse_enhanced_status("5.1 x").present());
}

}  // namespace
}  // namespace postern::smtp
