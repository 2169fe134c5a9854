#include "common/smtp/codec/command.h"

#include <gtest/gtest.h>

namespace postern::smtp::codec {
namespace {

template <class T>
T parse_ok(std::string_view line, ParseContext ctx = {}) {
  CommandResult r = parse_command(line, ctx);
  EXPECT_TRUE(r.ok()) << line << " -> " << (r.ok() ? "" : r.error().to_string());
  if (!r.ok()) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(r.command())) << line;
  if (!std::holds_alternative<T>(r.command())) return T{};
  return std::get<T>(r.command());
}

// "501 5.1.7" style prefix of the error reply.
std::string error_of(std::string_view line, ParseContext ctx = {}) {
  CommandResult r = parse_command(line, ctx);
  if (r.ok()) return "ok";
  return std::to_string(r.error().code()) + " " + r.error().status().to_string();
}

TEST(ParseCommand, VerbsAreCaseInsensitive) {
  EXPECT_EQ(parse_ok<Helo>("ehlo Client.Example").domain, "client.example");
  EXPECT_TRUE(parse_ok<Helo>("EhLo client.example").extended);
  EXPECT_FALSE(parse_ok<Helo>("helo client.example").extended);
  parse_ok<Data>("data");
  parse_ok<Rset>("RSet");
  parse_ok<Noop>("noop");
  parse_ok<Noop>("NOOP anything at all");
  parse_ok<Quit>("quit");
  parse_ok<Quit>("QUIT ");  // trailing blank tolerated
  parse_ok<Help>("help");
  parse_ok<StartTls>("starttls");
  EXPECT_EQ(parse_ok<Vrfy>("vrfy someone").argument, "someone");
}

TEST(ParseCommand, Helo) {
  EXPECT_EQ(parse_ok<Helo>("EHLO [192.0.2.1]").domain, "[192.0.2.1]");
  EXPECT_EQ(parse_ok<Helo>("EHLO DESKTOP_X1").domain, "desktop_x1");  // lenient for '_'
  EXPECT_EQ(error_of("EHLO"), "501 5.5.4");
  EXPECT_EQ(error_of("HELO a b"), "501 5.5.4");
  EXPECT_EQ(error_of("EHLO (evil)"), "501 5.5.4");
}

TEST(ParseCommand, UnknownAndMalformed) {
  EXPECT_EQ(error_of("FOO"), "500 5.5.2");
  EXPECT_EQ(error_of(""), "500 5.5.2");
  EXPECT_EQ(error_of(" QUIT"), "500 5.5.2");
  EXPECT_EQ(error_of("MAILFROM:<a@b.c>"), "500 5.5.2");
  EXPECT_EQ(error_of("DATA x"), "501 5.5.4");
  EXPECT_EQ(error_of("RSET x"), "501 5.5.4");
  EXPECT_EQ(error_of("QUIT now"), "501 5.5.4");
  EXPECT_EQ(error_of("STARTTLS x"), "501 5.5.4");
  EXPECT_EQ(error_of("VRFY"), "501 5.5.4");
}

TEST(ParseCommand, MailFromWithParameters) {
  auto m = parse_ok<MailFrom>("MAIL FROM:<Bob@Example.ORG> SIZE=1000 BODY=8bitmime SMTPUTF8 "
                              "RET=hdrs ENVID=QQ314159 AUTH=<>");
  EXPECT_EQ(m.from.to_string(), "Bob@example.org");
  EXPECT_EQ(m.size, 1000u);
  EXPECT_EQ(m.body, BodyType::eight_bit_mime);
  EXPECT_TRUE(m.smtputf8);
  EXPECT_EQ(m.ret, "HDRS");
  EXPECT_EQ(m.envid, "QQ314159");
  EXPECT_EQ(m.auth, "<>");
  EXPECT_TRUE(parse_ok<MailFrom>("mail from:<>").from.null());
  EXPECT_EQ(parse_ok<MailFrom>("MAIL FROM: <a@b.c>").from.to_string(), "a@b.c");  // tolerated
  EXPECT_EQ(parse_ok<MailFrom>("MAIL FROM:<a@b.c> BODY=7BIT").body, BodyType::seven_bit);
  EXPECT_EQ(parse_ok<MailFrom>("MAIL FROM:<a@b.c> AUTH=user+2Bx@b.c").auth, "user+2Bx@b.c");
}

TEST(ParseCommand, MailFromErrors) {
  EXPECT_EQ(error_of("MAIL FROM:a@b.c"), "501 5.5.4");
  EXPECT_EQ(error_of("MAIL TO:<a@b.c>"), "501 5.5.4");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c>SIZE=1"), "501 5.5.4");
  EXPECT_EQ(error_of("MAIL FROM:<a@@b.c>"), "501 5.1.7");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c"), "501 5.1.7");
  EXPECT_EQ(error_of("MAIL FROM:<postmaster>"), "501 5.1.7");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c> SIZE=abc"), "501 5.5.4");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c> SIZE="), "501 5.5.4");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c> SIZE=99999999999999999999999"), "501 5.5.4");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c> SIZE=1 SIZE=2"), "501 5.5.4");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c> BODY=BINARYMIME"), "501 5.5.4");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c> SMTPUTF8=yes"), "501 5.5.4");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c> RET=ALL"), "501 5.5.4");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c> ENVID=a+zz"), "501 5.5.4");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c> AUTH="), "501 5.5.4");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c> XFOO=1"), "555 5.5.4");
  EXPECT_EQ(error_of("MAIL FROM:<a@b.c> -X"), "501 5.5.4");
}

TEST(ParseCommand, MailFromUtf8NeedsSmtputf8) {
  EXPECT_EQ(error_of("MAIL FROM:<j\xc3\xb6rg@x.de>"), "553 5.6.7");
  EXPECT_EQ(parse_ok<MailFrom>("MAIL FROM:<j\xc3\xb6rg@x.de> SMTPUTF8").from.local, "j\xc3\xb6rg");
}

TEST(ParseCommand, RcptTo) {
  EXPECT_EQ(parse_ok<RcptTo>("RCPT TO:<User@Example.Org.>").to.to_string(), "User@example.org");
  EXPECT_EQ(parse_ok<RcptTo>("rcpt to:<POSTMASTER>").to.to_string(), "postmaster");
  auto r = parse_ok<RcptTo>("RCPT TO:<a@b.c> NOTIFY=success,failure ORCPT=rfc822;a@b.c");
  EXPECT_EQ(r.notify, "SUCCESS,FAILURE");
  EXPECT_EQ(r.orcpt, "rfc822;a@b.c");
  EXPECT_EQ(parse_ok<RcptTo>("RCPT TO:<@a.example,@b.example:c@d.example>").to.to_string(),
            "c@d.example");
}

TEST(ParseCommand, RcptToErrors) {
  EXPECT_EQ(error_of("RCPT TO:<>"), "501 5.1.3");
  EXPECT_EQ(error_of("RCPT TO:<a.@b.c>"), "501 5.1.3");
  EXPECT_EQ(error_of("RCPT TO:a@b.c"), "501 5.5.4");
  EXPECT_EQ(error_of("RCPT FROM:<a@b.c>"), "501 5.5.4");
  EXPECT_EQ(error_of("RCPT TO:<a@b.c> NOTIFY=SOMETIMES"), "501 5.5.4");
  EXPECT_EQ(error_of("RCPT TO:<a@b.c> ORCPT=nosemicolon"), "501 5.5.4");
  EXPECT_EQ(error_of("RCPT TO:<a@b.c> SIZE=1"), "555 5.5.4");
  EXPECT_EQ(error_of("RCPT TO:<j\xc3\xb6rg@x.de>"), "553 5.6.7");
  EXPECT_EQ(error_of("RCPT TO:<j\xc3\xb6rg@x.de>", ParseContext{true}), "ok");
}

TEST(ParseCommand, Bdat) {
  auto b = parse_ok<Bdat>("BDAT 1000 LAST");
  EXPECT_EQ(b.size, 1000u);
  EXPECT_TRUE(b.last);
  EXPECT_FALSE(parse_ok<Bdat>("bdat 0").last);
  EXPECT_TRUE(parse_ok<Bdat>("bdat 0 last").last);
  EXPECT_EQ(error_of("BDAT"), "501 5.5.4");
  EXPECT_EQ(error_of("BDAT -1"), "501 5.5.4");
  EXPECT_EQ(error_of("BDAT 10 FIRST"), "501 5.5.4");
  EXPECT_EQ(error_of("BDAT 123456789012345678901234"), "501 5.5.4");
}

TEST(ParseCommand, Auth) {
  auto a = parse_ok<Auth>("auth plain AGJvYgBzZWNyZXQ=");
  EXPECT_EQ(a.mechanism, "PLAIN");
  EXPECT_EQ(a.initial_response, "AGJvYgBzZWNyZXQ=");
  EXPECT_FALSE(parse_ok<Auth>("AUTH LOGIN").initial_response.has_value());
  EXPECT_EQ(error_of("AUTH"), "501 5.5.4");
  EXPECT_EQ(error_of("AUTH PLAIN a b"), "501 5.5.4");
  EXPECT_EQ(error_of("AUTH PL@IN"), "501 5.5.4");
}

TEST(CommandVerb, UpperCasesTheFirstWord) {
  EXPECT_EQ(command_verb("auth plain secret"), "AUTH");
  EXPECT_EQ(command_verb("quit"), "QUIT");
}

}  // namespace
}  // namespace postern::smtp::codec
