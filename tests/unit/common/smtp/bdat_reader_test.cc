#include "common/smtp/codec/bdat_reader.h"

#include <gtest/gtest.h>

#include "tests/unit/common/smtp/fragments.h"

namespace postern::smtp::codec {
namespace {

using testing::kFragmentSizes;

// Reads chunks (sizes given) from one stream at `step` fragments; returns the message and
// where reading stopped.
std::pair<Body, std::size_t> read_chunks(std::string_view stream, std::vector<uint64_t> sizes,
                                         std::size_t step, uint64_t max = 1 << 20) {
  BdatReader reader(max);
  std::size_t pos = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    reader.begin_chunk(sizes[i], i + 1 == sizes.size());
    while (!reader.chunk_complete()) {
      if (pos >= stream.size()) return {Body{}, pos};
      std::string_view frag = stream.substr(pos, step == 0 ? stream.size() : step);
      pos += reader.feed(frag);
    }
  }
  return {reader.take(), pos};
}

TEST(BdatReader, ExactChunksAtEveryFragmentSize) {
  // Dot lines and fake endings inside a chunk are content, not ends.
  const std::string c1 = "Subject: x\r\n\r\n.\r\n";
  const std::string c2 = "..not stuffed\r\n";
  const std::string stream = c1 + c2 + "QUIT\r\n";
  for (std::size_t step : kFragmentSizes) {
    SCOPED_TRACE(testing::fragment_name(step));
    auto [body, pos] = read_chunks(stream, {c1.size(), c2.size()}, step);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(body.content, c1 + c2);
    EXPECT_EQ(body.size, c1.size() + c2.size());
    EXPECT_EQ(stream.substr(pos), "QUIT\r\n");
  }
}

TEST(BdatReader, BareCrLfAcrossChunksIsRefused) {
  struct Case {
    std::string a, b;
    BodyError error;
  };
  const Case cases[] = {
      {"line\r", "\nnext\r\n", BodyError::none},  // CRLF split across chunks is fine
      {"line\r", "next\r\n", BodyError::bare_cr_lf},
      {"line\n", "next\r\n", BodyError::bare_cr_lf},
      {"line\r\n", "last\r", BodyError::bare_cr_lf},  // CR at the very end
      {"x\r\n.\n", "QUIT\r\n", BodyError::bare_cr_lf},
  };
  for (const auto& c : cases) {
    for (std::size_t step : kFragmentSizes) {
      SCOPED_TRACE(::testing::PrintToString(c.a + c.b) + " @" + testing::fragment_name(step));
      auto [body, pos] = read_chunks(c.a + c.b, {c.a.size(), c.b.size()}, step);
      EXPECT_EQ(body.error, c.error);
      EXPECT_EQ(pos, c.a.size() + c.b.size());
    }
  }
}

TEST(BdatReader, OversizeIsConsumedAndRefused) {
  const std::string stream = std::string(300, 'a') + "NOOP\r\n";
  for (std::size_t step : kFragmentSizes) {
    auto [body, pos] = read_chunks(stream, {100, 200}, step, 150);
    EXPECT_EQ(pos, 300u);
    EXPECT_EQ(body.error, BodyError::too_big);
    EXPECT_EQ(body.size, 300u);
  }
}

TEST(BdatReader, ErrorIsVisibleBeforeTheLastChunk) {
  BdatReader reader(10);
  reader.begin_chunk(20, false);
  EXPECT_EQ(reader.feed(std::string(20, 'a')), 20u);
  EXPECT_TRUE(reader.chunk_complete());
  EXPECT_EQ(reader.error(), BodyError::too_big);
}

TEST(BdatReader, ZeroLengthLastChunk) {
  auto [body, pos] = read_chunks("abc\r\n", {5, 0}, 0);
  EXPECT_TRUE(body.ok());
  EXPECT_EQ(body.content, "abc\r\n");
}

}  // namespace
}  // namespace postern::smtp::codec
