// posternctl queue list|show output (services/queue_format.h): exact text, table-tested.
#include "services/queue_format.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>

namespace postern::services {
namespace {

using postern::v1::ListQueueReply;
using postern::v1::QueuedMessage;
using postern::v1::QueuedRecipient;

constexpr int64_t kT = 1700000000;  // 2023-11-14 22:13:20 UTC

QueuedRecipient* add_recipient(QueuedMessage& m, std::string address,
                               postern::v1::RecipientState state, uint32_t attempts,
                               std::string last_reply = "", std::string destination = "store") {
  QueuedRecipient* r = m.add_recipients();
  r->set_address(std::move(address));
  r->set_destination(std::move(destination));
  r->set_state(state);
  r->set_attempts(attempts);
  r->set_next_attempt_unix(kT + 300);
  r->set_last_reply(std::move(last_reply));
  return r;
}

QueuedMessage message(std::string id, uint64_t size, std::string from = "alice@sender.test") {
  QueuedMessage m;
  m.set_queue_id(std::move(id));
  m.set_size(size);
  m.set_received_unix(kT);
  m.set_mail_from(std::move(from));
  return m;
}

TEST(FormatUnixTime, UtcWithZ) {
  EXPECT_EQ(format_unix_time(kT), "2023-11-14 22:13:20Z");
  EXPECT_EQ(format_unix_time(1), "1970-01-01 00:00:01Z");
}

TEST(FormatUnixTime, ZeroAndNegativeMeanUnknown) {
  EXPECT_EQ(format_unix_time(0), "-");
  EXPECT_EQ(format_unix_time(-1), "-");
}

TEST(FormatUnixTime, IndependentOfTheMachinesTimeZone) {
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  ::setenv("TZ", "Asia/Kolkata", 1);  // +05:30: any local-time slip shows
  ::tzset();
  const std::string formatted = format_unix_time(kT);
  if (old) ::setenv("TZ", saved.c_str(), 1); else ::unsetenv("TZ");
  ::tzset();
  EXPECT_EQ(formatted, "2023-11-14 22:13:20Z");
}

TEST(FormatMessage, HeaderLineColumnsAndPendingRecipient) {
  QueuedMessage m = message("0A1B2C3D", 1234);
  add_recipient(m, "bob@example.test", postern::v1::RECIPIENT_STATE_PENDING, 2,
                "451 4.3.0 Try again later");
  EXPECT_EQ(format_message(m, false),
            // id padded to 26, size right-aligned in 10, time padded to 22
            "0A1B2C3D                         1234  2023-11-14 22:13:20Z    alice@sender.test\n"
            "    bob@example.test  pending, destination store, 2 attempts, next "
            "2023-11-14 22:18:20Z\n"
            "        (451 4.3.0 Try again later)\n");
}

TEST(FormatMessage, WaitingForTheGatewayShowsWhereItGoes) {
  QueuedMessage m = message("0A1B2C3D", 1234);
  QueuedRecipient* r = add_recipient(
      m, "bob@remote.test", postern::v1::RECIPIENT_STATE_PENDING, 1,
      "451 4.4.1 forward to gw (10.0.0.5:7001): unavailable: connection refused", "internet");
  r->set_via("forward to gw");
  EXPECT_EQ(format_message(m, false),
            "0A1B2C3D                         1234  2023-11-14 22:13:20Z    alice@sender.test\n"
            "    bob@remote.test  pending, destination internet, 1 attempt, next "
            "2023-11-14 22:18:20Z, via forward to gw\n"
            "        (451 4.4.1 forward to gw (10.0.0.5:7001): unavailable: connection refused)\n");
}

TEST(FormatMessage, OnTheGatewayAForwardedMessageNamesItsOrigin) {
  QueuedMessage m = message("9Z", 10);
  m.set_forwarded_from("athena/0A1B2C3D");
  QueuedRecipient* r =
      add_recipient(m, "bob@remote.test", postern::v1::RECIPIENT_STATE_PENDING, 0, "", "internet");
  r->set_via("direct");
  EXPECT_EQ(format_message(m, false),
            "9Z                                 10  2023-11-14 22:13:20Z    alice@sender.test\n"
            "    forwarded from athena/0A1B2C3D\n"
            "    bob@remote.test  pending, destination internet, 0 attempts, next "
            "2023-11-14 22:18:20Z, via direct\n");
}

TEST(FormatMessage, NullSenderIsShownAsAngleBrackets) {
  QueuedMessage m = message("Q", 1, "");
  EXPECT_NE(format_message(m, false).find("  <>\n"), std::string::npos)
      << format_message(m, false);
}

TEST(FormatMessage, StatesAttemptsAndNoNextTimeUnlessPending) {
  QueuedMessage m = message("Q", 10);
  add_recipient(m, "a@x.test", postern::v1::RECIPIENT_STATE_DELIVERED, 1, "250 2.0.0 Ok");
  add_recipient(m, "b@x.test", postern::v1::RECIPIENT_STATE_FAILED, 3, "550 5.1.1 No", "");
  add_recipient(m, "c@x.test", postern::v1::RECIPIENT_STATE_UNSPECIFIED, 0);
  const std::string out = format_message(m, false);
  EXPECT_NE(out.find("    a@x.test  delivered, destination store, 1 attempt\n"),
            std::string::npos) << out;
  EXPECT_NE(out.find("    b@x.test  failed, destination -, 3 attempts\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("    c@x.test  unknown, destination store, 0 attempts\n"),
            std::string::npos) << out;
  EXPECT_EQ(out.find("next"), std::string::npos) << out;
  // No reply, no reply line.
  EXPECT_EQ(out.find("c@x.test  unknown, destination store, 0 attempts\n        ("),
            std::string::npos) << out;
}

TEST(FormatMessage, MultiLineReplyKeepsEachLineWithoutCarriageReturns) {
  QueuedMessage m = message("Q", 10);
  add_recipient(m, "a@x.test", postern::v1::RECIPIENT_STATE_PENDING, 1,
                "451-4.7.1 first line\r\n451 4.7.1 second line\r\n");
  const std::string out = format_message(m, false);
  EXPECT_NE(out.find("        (451-4.7.1 first line)\n        (451 4.7.1 second line)\n"),
            std::string::npos) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_EQ(out.find("()"), std::string::npos) << "no empty line for the trailing CRLF: " << out;
}

TEST(FormatMessage, DetailedAddsClientAndAuthenticatedUser) {
  QueuedMessage m = message("Q", 10);
  EXPECT_EQ(format_message(m, false).find("client:"), std::string::npos);
  EXPECT_NE(format_message(m, true).find("    client: -, authenticated: no\n"),
            std::string::npos) << format_message(m, true);
  m.set_client_address("192.0.2.7");
  m.set_auth_user("alice@sender.test");
  EXPECT_NE(
      format_message(m, true).find("    client: 192.0.2.7, authenticated: alice@sender.test\n"),
      std::string::npos)
      << format_message(m, true);
}

TEST(FormatQueueList, EmptyQueue) {
  EXPECT_EQ(format_queue_list(ListQueueReply{}), "Mail queue is empty\n");
}

TEST(FormatQueueList, HeaderMessagesAndTotalInKbytesRoundedUp) {
  ListQueueReply reply;
  *reply.add_messages() = message("ONE", 1000);
  *reply.add_messages() = message("TWO", 1500);
  const std::string out = format_queue_list(reply);
  EXPECT_EQ(out.rfind("-Queue ID-", 0), 0u) << out;
  EXPECT_NE(out.find("-Sender/Recipients-\n"), std::string::npos) << out;
  const auto one = out.find("ONE "), two = out.find("TWO ");
  ASSERT_NE(one, std::string::npos);
  ASSERT_NE(two, std::string::npos);
  EXPECT_LT(one, two);  // in the order the router listed them
  // 2500 bytes -> 3 Kbytes (rounded up, so a small queue never says 0).
  EXPECT_NE(out.find("\n-- 3 Kbytes in 2 Requests.\n"), std::string::npos) << out;
  EXPECT_EQ(out.substr(out.size() - std::string("-- 3 Kbytes in 2 Requests.\n").size()),
            "-- 3 Kbytes in 2 Requests.\n");
}

TEST(FormatQueueList, SingularRequestAndSmallSizes) {
  ListQueueReply reply;
  *reply.add_messages() = message("ONE", 1);
  EXPECT_NE(format_queue_list(reply).find("-- 1 Kbytes in 1 Request.\n"), std::string::npos)
      << format_queue_list(reply);
  ListQueueReply exact;
  *exact.add_messages() = message("ONE", 2048);
  EXPECT_NE(format_queue_list(exact).find("-- 2 Kbytes in 1 Request.\n"), std::string::npos)
      << format_queue_list(exact);
}

TEST(FormatQueueList, LongQueueIdStillSeparatedFromSize) {
  ListQueueReply reply;
  *reply.add_messages() = message(std::string(30, 'X'), 5);
  const std::string out = format_queue_list(reply);
  EXPECT_NE(out.find(std::string(30, 'X') + " "), std::string::npos) << out;
}

}  // namespace
}  // namespace postern::services
