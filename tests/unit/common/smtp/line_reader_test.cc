#include "common/smtp/codec/line_reader.h"

#include <gtest/gtest.h>

#include "tests/unit/common/smtp/fragments.h"

namespace postern::smtp::codec {
namespace {

using testing::kFragmentSizes;
using Kind = LineEvent::Kind;

// Feeds `input` in fragments of `step` octets; returns every event as "L:text", "LONG", "BARE".
std::vector<std::string> events(std::string_view input, std::size_t step) {
  LineReader reader;
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < input.size()) {
    std::string_view frag = input.substr(pos, step == 0 ? input.size() : step);
    while (!frag.empty()) {
      auto r = reader.feed(frag);
      EXPECT_GT(r.consumed, 0u);
      frag.remove_prefix(r.consumed);
      pos += r.consumed;
      if (!r.event) continue;
      switch (r.event->kind) {
        case Kind::line: out.push_back("L:" + r.event->text); break;
        case Kind::too_long: out.push_back("LONG"); break;
        case Kind::bare_cr_lf: out.push_back("BARE"); break;
      }
    }
  }
  if (reader.partial()) out.push_back("PARTIAL");
  return out;
}

struct Case {
  std::string input;
  std::vector<std::string> expected;
};

TEST(LineReader, TableAtEveryFragmentSize) {
  const std::string l998(998, 'x');
  const std::string l999(999, 'x');
  const Case cases[] = {
      {"EHLO a\r\nMAIL FROM:<>\r\n", {"L:EHLO a", "L:MAIL FROM:<>"}},
      {"\r\n", {"L:"}},
      {"NOOP", {"PARTIAL"}},
      {"NOOP\r", {"PARTIAL"}},
      // Bare LF and bare CR are never line ends: the whole line is refused at its CRLF.
      {"NOOP\nQUIT\r\n", {"BARE"}},
      {"NOOP\rQUIT\r\n", {"BARE"}},
      {"NOOP\r\rQUIT\r\n", {"BARE"}},
      {"NOOP\r\r\n", {"BARE"}},
      {"\nRSET\r\nQUIT\r\n", {"BARE", "L:QUIT"}},
      // 998 octets + CRLF is the longest line; one more is refused once, then resync.
      {l998 + "\r\n", {"L:" + l998}},
      {l999 + "\r\nQUIT\r\n", {"LONG", "L:QUIT"}},
      {l999 + l999 + l999 + "\r\nNOOP\r\n", {"LONG", "L:NOOP"}},
      {l999 + "\n\r\nQUIT\r\n", {"LONG", "L:QUIT"}},
  };
  for (const auto& c : cases) {
    for (std::size_t step : kFragmentSizes) {
      SCOPED_TRACE(testing::fragment_name(step) + ": " + c.input.substr(0, 40));
      EXPECT_EQ(events(c.input, step), c.expected);
    }
  }
}

TEST(LineReader, StopsAfterEachLineSoTheRestCanBeData) {
  LineReader reader;
  auto r = reader.feed("DATA\r\nSubject: x\r\n");
  ASSERT_TRUE(r.event);
  EXPECT_EQ(r.event->text, "DATA");
  EXPECT_EQ(r.consumed, 6u);
}

TEST(LineReader, ResetDropsAPartialLine) {
  LineReader reader;
  reader.feed("MAIL FROM:<evil@x>");
  EXPECT_TRUE(reader.partial());
  reader.reset();
  EXPECT_FALSE(reader.partial());
  auto r = reader.feed("EHLO a\r\n");
  ASSERT_TRUE(r.event);
  EXPECT_EQ(r.event->text, "EHLO a");
}

TEST(LineEvent, ErrorReplies) {
  LineEvent too_long;
  too_long.kind = Kind::too_long;
  EXPECT_EQ(too_long.error_reply().to_string().substr(0, 9), "500 5.5.6");
  LineEvent bare;
  bare.kind = Kind::bare_cr_lf;
  EXPECT_EQ(bare.error_reply().to_string().substr(0, 9), "500 5.5.2");
}

}  // namespace
}  // namespace postern::smtp::codec
