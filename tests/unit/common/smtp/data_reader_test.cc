#include "common/smtp/codec/data_reader.h"

#include <gtest/gtest.h>

#include "common/smtp/codec/line_reader.h"
#include "tests/unit/common/smtp/fragments.h"

namespace postern::smtp::codec {
namespace {

using testing::kFragmentSizes;

struct DataRun {
  bool done = false;
  std::size_t consumed = 0;  // where the reader said the message ended
  Body body;
};

DataRun read_data(std::string_view input, std::size_t step, uint64_t max = 1 << 20) {
  DataReader reader(max);
  DataRun run;
  while (run.consumed < input.size()) {
    std::string_view frag = input.substr(run.consumed, step == 0 ? input.size() : step);
    auto r = reader.feed(frag);
    run.consumed += r.consumed;
    if (r.done) {
      run.done = true;
      run.body = reader.take();
      return run;
    }
    EXPECT_EQ(r.consumed, frag.size());
  }
  return run;
}

struct Case {
  const char* name;
  std::string input;
  std::string content;  // expected when accepted
  BodyError error;
};

TEST(DataReader, TableAtEveryFragmentSize) {
  const std::string long_line(999, 'x');
  const Case cases[] = {
      {"empty", ".\r\n", "", BodyError::none},
      {"simple", "Subject: a\r\n\r\nhello\r\n.\r\n", "Subject: a\r\n\r\nhello\r\n",
       BodyError::none},
      {"dot-stuffing", "..leading\r\n..\r\n.\r\n", ".leading\r\n.\r\n", BodyError::none},
      {"dot-inside", "a.b\r\n .\r\nx.\r\n.\r\n", "a.b\r\n .\r\nx.\r\n", BodyError::none},
      {"single-dot-then-text", ".x\r\n.\r\n", "x\r\n", BodyError::none},
      {"bare-lf", "a\nb\r\n.\r\n", "", BodyError::bare_cr_lf},
      {"bare-cr", "a\rb\r\n.\r\n", "", BodyError::bare_cr_lf},
      {"line-998", std::string(998, 'y') + "\r\n.\r\n", std::string(998, 'y') + "\r\n",
       BodyError::none},
      {"line-999", long_line + "\r\n.\r\n", "", BodyError::line_too_long},
      {"stuffed-998", "." + std::string(998, '.') + "\r\n.\r\n", std::string(998, '.') + "\r\n",
       BodyError::none},
  };
  for (const auto& c : cases) {
    for (std::size_t step : kFragmentSizes) {
      SCOPED_TRACE(std::string(c.name) + " @" + testing::fragment_name(step));
      DataRun run = read_data(c.input, step);
      ASSERT_TRUE(run.done);
      EXPECT_EQ(run.consumed, c.input.size());
      EXPECT_EQ(run.body.error, c.error);
      if (c.error == BodyError::none) {
        EXPECT_EQ(run.body.content, c.content);
      }
      EXPECT_EQ(run.body.ok(), !run.body.error_reply().has_value());
    }
  }
}

// SMTP smuggling: a fake end of data followed by a second transaction. The reader must only
// stop at the real CRLF.CRLF, the message must be refused (it has bare CR/LF), and none of
// the smuggled commands may reach the command reader.
TEST(DataReader, SmugglingEndingsNeverEndTheMessage) {
  const char* fake_endings[] = {"\n.\r\n",   "\n.\n",     "\r.\r\n", "\r\n.\n", "\r\n.\r",
                                "\r.\n",     "\n..\r\n",  "\r\n.\rX", "\r\n\n.\r\n",
                                "\r\n.\r\r\n", "\n\r.\r\n",
                                // These two contain a genuine CRLF.CRLF, see below.
                                "\r\r\n.\r\n", "\n\r\n.\r\n"};
  const std::string smuggled =
      "MAIL FROM:<attacker@evil.example>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"
      "Subject: smuggled\r\n\r\nspoofed\r\n";
  const std::string after = "QUIT\r\n";
  for (const char* fake : fake_endings) {
    const std::string input = "Subject: real\r\n\r\nbody" + std::string(fake) + smuggled +
                              ".\r\n" + after;
    for (std::size_t step : kFragmentSizes) {
      SCOPED_TRACE(::testing::PrintToString(std::string(fake)) + " @" +
                   testing::fragment_name(step));
      DataRun run = read_data(input, step);
      ASSERT_TRUE(run.done);
      EXPECT_FALSE(run.body.ok());
      EXPECT_EQ(run.body.error, BodyError::bare_cr_lf);
      auto reply = run.body.error_reply();
      ASSERT_TRUE(reply);
      EXPECT_EQ(reply->to_string(), "550 5.6.11 Message contains bare CR or LF");
      // Everything after the real end is exactly the next command, nothing else.
      std::string_view rest = std::string_view(input).substr(run.consumed);
      if (std::string(fake).find("\r\n.\r\n") != std::string::npos) {
        // This one contains a genuine CRLF.CRLF: the message really ends there (and is
        // refused for its bare LF); the "smuggled" lines are then plain commands, which is
        // what the client sent in the open - not hidden inside a message.
        EXPECT_EQ(rest.substr(0, 10), "MAIL FROM:");
        continue;
      }
      EXPECT_EQ(rest, after);
      LineReader lines;
      auto ev = lines.feed(rest);
      ASSERT_TRUE(ev.event);
      EXPECT_EQ(ev.event->text, "QUIT");
    }
  }
}

TEST(DataReader, OversizeIsCountedToTheRealEndAndRefused) {
  const std::string input = std::string(100, 'a') + "\r\n" + std::string(100, 'b') + "\r\n.\r\nNOOP\r\n";
  for (std::size_t step : kFragmentSizes) {
    SCOPED_TRACE(testing::fragment_name(step));
    DataRun run = read_data(input, step, 150);
    ASSERT_TRUE(run.done);
    EXPECT_EQ(run.consumed, input.size() - 6);
    EXPECT_EQ(run.body.error, BodyError::too_big);
    EXPECT_EQ(run.body.size, 204u);
    EXPECT_TRUE(run.body.content.empty());
    EXPECT_EQ(run.body.error_reply()->to_string().substr(0, 9), "552 5.3.4");
  }
}

TEST(DataReader, SizeBeatsBareLfBeatsLongLine) {
  DataRun a = read_data(std::string(1200, 'x') + "\n\r\n.\r\n", 0);
  EXPECT_EQ(a.body.error, BodyError::bare_cr_lf);
  DataRun b = read_data(std::string(1200, 'x') + "\n\r\n.\r\n", 0, 100);
  EXPECT_EQ(b.body.error, BodyError::too_big);
}

TEST(DataReader, IncompleteInputIsNotDone) {
  for (const char* partial : {"abc", "abc\r\n", "abc\r\n.", "abc\r\n.\r"}) {
    DataRun run = read_data(partial, 1);
    EXPECT_FALSE(run.done) << partial;
  }
}

}  // namespace
}  // namespace postern::smtp::codec
