// Table tests of the SMTP client's pure parts, every parser fed at every fragment size.
#include <gtest/gtest.h>

#include "common/smtp/client/auth.h"
#include "common/smtp/client/capabilities.h"
#include "common/smtp/client/commands.h"
#include "common/smtp/client/dot_stuffer.h"
#include "common/smtp/client/reply_parser.h"

namespace postern::smtp::client {
namespace {

constexpr std::size_t kFragments[] = {0 /* all */, 1000, 100, 10, 5, 2, 1};

struct Parsed {
  std::vector<Reply> replies;
  std::string error;
};

Parsed parse_all(std::string_view input, std::size_t fragment, ReplyLimits limits = {}) {
  ReplyParser parser(limits);
  Parsed out;
  const std::size_t step = fragment == 0 ? input.size() : fragment;
  for (std::size_t off = 0; off < input.size() && out.error.empty(); off += step) {
    parser.feed(input.substr(off, step));
    for (;;) {
      ParseEvent e = parser.next();
      if (e.kind == ParseEvent::Kind::need_more) break;
      if (e.kind == ParseEvent::Kind::error) {
        out.error = e.error;
        break;
      }
      out.replies.push_back(e.reply);
    }
  }
  return out;
}

TEST(ReplyParser, WellFormedRepliesAtEveryFragmentSize) {
  struct Case {
    std::string input;
    std::vector<Reply> expected;
  } cases[] = {
      {"220 mx.test ESMTP ready\r\n", {Reply::plain(220, "mx.test ESMTP ready")}},
      {"250-mx.test\r\n250-PIPELINING\r\n250 SIZE 1000\r\n",
       {Reply(250, {}, std::vector<std::string>{"mx.test", "PIPELINING", "SIZE 1000"})}},
      {"550 5.1.1 No such user\r\n", {Reply(550, {5, 1, 1}, "No such user")}},
      {"451-4.2.0 first\r\n451 4.2.0 second\r\n",
       {Reply(451, {4, 2, 0}, std::vector<std::string>{"first", "second"})}},
      // A status whose class disagrees with the code is text, not a status.
      {"250 5.1.1 odd\r\n", {Reply::plain(250, "5.1.1 odd")}},
      {"250\r\n", {Reply::plain(250, "")}},
      {"354 go ahead\n", {Reply::plain(354, "go ahead")}},  // bare LF tolerated
      {"250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 data\r\n",
       {Reply(250, {2, 1, 0}, "ok"), Reply(250, {2, 1, 5}, "ok"), Reply::plain(354, "data")}},
      {"250 a\rb\r\n", {Reply::plain(250, "a b")}},  // a stray CR never voids a reply
  };
  for (const auto& c : cases) {
    for (std::size_t f : kFragments) {
      Parsed p = parse_all(c.input, f);
      EXPECT_EQ(p.error, "") << c.input << " fragment " << f;
      EXPECT_EQ(p.replies, c.expected) << c.input << " fragment " << f;
    }
  }
}

TEST(ReplyParser, MalformedRepliesAreErrorsAtEveryFragmentSize) {
  const std::string long_line = "250 " + std::string(5000, 'x') + "\r\n";
  std::string many_lines;
  for (int i = 0; i < 200; ++i) many_lines += "250-x\r\n";
  many_lines += "250 end\r\n";
  const std::string cases[] = {
      "hello\r\n",   "25\r\n",     "250-a\r\n251 b\r\n", "199 x\r\n", "600 x\r\n",
      "250x\r\n",    long_line,    many_lines,
  };
  for (const auto& input : cases)
    for (std::size_t f : kFragments)
      EXPECT_NE(parse_all(input, f).error, "") << input.substr(0, 20) << " fragment " << f;
}

TEST(ReplyParser, LineWithoutEndIsCappedNotBuffered) {
  ReplyParser parser(ReplyLimits{64, 8});
  parser.feed(std::string(65, '2'));
  EXPECT_EQ(parser.next().kind, ParseEvent::Kind::error);
  EXPECT_EQ(parser.next().kind, ParseEvent::Kind::error);  // sticky
}

TEST(ReplyParser, BufferedCountsBytesAfterTheReply) {
  ReplyParser parser;
  parser.feed("220 go ahead\r\n250 injected\r\n");
  ASSERT_EQ(parser.next().kind, ParseEvent::Kind::reply);
  EXPECT_EQ(parser.buffered(), std::string("250 injected\r\n").size());
}

TEST(Capabilities, ParsesKeywordsCaseInsensitively) {
  const Reply ehlo(250, {}, std::vector<std::string>{
                                "mx.test greets you", "pipelining", "SIZE 1000000", "8BITMIME",
                                "STARTTLS", "AUTH PLAIN login", "AUTH=CRAM-MD5 LOGIN",
                                "ENHANCEDSTATUSCODES", "SMTPUTF8", "CHUNKING", "X-UNKNOWN foo"});
  const Capabilities caps = parse_ehlo(ehlo);
  EXPECT_TRUE(caps.esmtp);
  EXPECT_TRUE(caps.pipelining);
  EXPECT_TRUE(caps.size);
  EXPECT_EQ(caps.max_size, 1000000u);
  EXPECT_TRUE(caps.eight_bit_mime);
  EXPECT_TRUE(caps.starttls);
  EXPECT_TRUE(caps.enhanced_status_codes);
  EXPECT_TRUE(caps.smtputf8);
  EXPECT_TRUE(caps.chunking);
  EXPECT_EQ(caps.auth, (std::vector<std::string>{"PLAIN", "LOGIN", "CRAM-MD5"}));
}

TEST(Capabilities, GreetingLineIsNotAKeyword) {
  const Capabilities caps = parse_ehlo(Reply::plain(250, "STARTTLS"));
  EXPECT_FALSE(caps.starttls);
  EXPECT_FALSE(parse_ehlo(Reply::plain(502, "no")).esmtp);
}

std::string stuff_in_fragments(std::string_view input, std::size_t fragment) {
  DotStuffer stuffer;
  std::string out;
  const std::size_t step = fragment == 0 ? std::max<std::size_t>(input.size(), 1) : fragment;
  for (std::size_t off = 0; off < input.size(); off += step) out += stuffer.feed(input.substr(off, step));
  return out + stuffer.finish();
}

TEST(DotStuffer, StuffsAndTerminatesAtEveryFragmentSize) {
  struct Case {
    std::string input, expected;
  } cases[] = {
      {"", ".\r\n"},
      {"Subject: x\r\n\r\nbody\r\n", "Subject: x\r\n\r\nbody\r\n.\r\n"},
      {"no final newline", "no final newline\r\n.\r\n"},
      {".starts with dot\r\n", "..starts with dot\r\n.\r\n"},
      {"a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n"},
      {"a\r\n..\r\n", "a\r\n...\r\n.\r\n"},
      {"mid.dot\r\n", "mid.dot\r\n.\r\n"},
      // Smuggling endings: bare LF / bare CR become CRLF, the dot is stuffed.
      {"a\n.\r\nMAIL FROM:<x>\r\n", "a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n"},
      {"a\n.\nb", "a\r\n..\r\nb\r\n.\r\n"},
      {"a\r.\r\nb", "a\r\n..\r\nb\r\n.\r\n"},
      {"ends with cr\r", "ends with cr\r\n.\r\n"},
      {"8bit \xe9\r\n", "8bit \xe9\r\n.\r\n"},
  };
  for (const auto& c : cases)
    for (std::size_t f : kFragments)
      EXPECT_EQ(stuff_in_fragments(c.input, f), c.expected) << c.input << " fragment " << f;
  EXPECT_EQ(dot_stuff(".x"), "..x\r\n.\r\n");
}

TEST(Auth, PlainResponseAndMechanismChoice) {
  EXPECT_EQ(auth_plain_response("user", "pass"), "AHVzZXIAcGFzcw==");
  EXPECT_EQ(choose_auth_mechanism({"LOGIN", "PLAIN"}), "PLAIN");
  EXPECT_EQ(choose_auth_mechanism({"CRAM-MD5", "LOGIN"}), "LOGIN");
  EXPECT_EQ(choose_auth_mechanism({"CRAM-MD5"}), std::nullopt);
}

TEST(Commands, MailAndRcptLines) {
  EXPECT_EQ(mail_from_line("a@b.test", {}), "MAIL FROM:<a@b.test>\r\n");
  EXPECT_EQ(mail_from_line("", {}), "MAIL FROM:<>\r\n");
  EXPECT_EQ(mail_from_line("a@b.test", MailParams{1234, true, true}),
            "MAIL FROM:<a@b.test> SIZE=1234 BODY=8BITMIME SMTPUTF8\r\n");
  EXPECT_EQ(rcpt_to_line("c@d.test"), "RCPT TO:<c@d.test>\r\n");
  EXPECT_EQ(mail_from_line("a@b\r\nRCPT TO:<x@y>", {}), std::nullopt);
  EXPECT_EQ(rcpt_to_line("c@d\n"), std::nullopt);
  EXPECT_EQ(rcpt_to_line(""), std::nullopt);
}

}  // namespace
}  // namespace postern::smtp::client
