// Connection::send: one mail transaction (RFC 5321 3.3), pipelined per RFC 2920 when offered.
//
// MAIL and every RCPT go out in one write when PIPELINING is offered and their replies are
// then read in order; DATA is sent on its own once at least one RCPT was accepted, so a
// transaction without recipients never reaches DATA (no 354-with-nothing-to-send case).
#include <boost/asio/use_awaitable.hpp>

#include "common/smtp/client/commands.h"
#include "common/smtp/client/connection.h"
#include "common/smtp/client/dot_stuffer.h"

namespace postern::smtp::client {
namespace {

namespace asio = boost::asio;
constexpr std::size_t kDataChunk = 64 * 1024;

TransactionResult all(std::size_t n, const Reply& reply) {
  TransactionResult result;
  result.recipients.assign(n, reply);
  return result;
}

}  // namespace

asio::awaitable<TransactionResult> Connection::send(const Envelope& envelope,
                                                    const std::string& message) {
  const std::size_t n = envelope.recipients.size();
  const Timeouts& t = options_.timeouts;
  ++transactions_;

  if (envelope.smtputf8 && !capabilities_.smtputf8)
    co_return all(n, Reply(553, {5, 6, 7}, remote_ + " does not support SMTPUTF8"));
  if (capabilities_.size && capabilities_.max_size > 0 && message.size() > capabilities_.max_size)
    co_return all(n, Reply(552, {5, 3, 4}, "Message too big for " + remote_));

  MailParams params;
  if (capabilities_.size) params.size = message.size();
  params.eight_bit = envelope.eight_bit && capabilities_.eight_bit_mime;
  params.smtputf8 = envelope.smtputf8;
  const auto mail = mail_from_line(envelope.mail_from, params);
  if (!mail) co_return all(n, Reply(553, {5, 1, 7}, "Invalid sender address"));
  std::vector<std::optional<std::string>> rcpts;
  for (const auto& r : envelope.recipients) rcpts.push_back(rcpt_to_line(r));

  TransactionResult result;
  result.recipients.assign(n, Reply());
  auto fail_rest = [&](const StepResult& step, std::size_t from) {
    for (std::size_t i = from; i < n; ++i) result.recipients[i] = step.reply;
    result.connection_failed = step.kind == StepResult::Kind::failed;
    result.detail = step.detail;
  };

  // MAIL and RCPTs.
  const bool pipelining = capabilities_.pipelining;
  if (pipelining) {
    std::string batch = *mail;
    for (const auto& line : rcpts)
      if (line) batch += *line;
    StepResult w = co_await write(batch, t.mail);
    if (!w.ok()) {
      fail_rest(w, 0);
      co_return result;
    }
  } else {
    StepResult w = co_await write(*mail, t.mail);
    if (!w.ok()) {
      fail_rest(w, 0);
      co_return result;
    }
  }
  StepResult mail_reply = co_await read_reply(t.mail, 2);
  if (mail_reply.kind == StepResult::Kind::failed) {
    fail_rest(mail_reply, 0);
    co_return result;
  }
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!rcpts[i]) {
      result.recipients[i] = Reply(553, {5, 1, 3}, "Invalid recipient address");
      continue;
    }
    if (!pipelining) {
      if (!mail_reply.ok()) {  // unpipelined: no RCPT after a refused MAIL
        result.recipients[i] = mail_reply.reply;
        continue;
      }
      StepResult w = co_await write(*rcpts[i], t.rcpt);
      if (!w.ok()) {
        fail_rest(w, i);
        co_return result;
      }
    }
    StepResult rcpt = co_await read_reply(t.rcpt, 2);
    if (rcpt.kind == StepResult::Kind::failed) {
      fail_rest(rcpt, i);
      co_return result;
    }
    if (!mail_reply.ok()) {
      result.recipients[i] = mail_reply.reply;  // the RCPT reply (503) says nothing new
    } else {
      result.recipients[i] = rcpt.reply;
      if (rcpt.ok()) ++accepted;
    }
  }
  if (accepted == 0) co_return result;

  // DATA for the accepted recipients.
  StepResult data = co_await command("DATA\r\n", t.data_init, 3, 354);
  auto set_accepted = [&](const Reply& reply) {
    for (std::size_t i = 0; i < n; ++i)
      if (result.recipients[i].positive()) result.recipients[i] = reply;
  };
  if (!data.ok()) {
    set_accepted(data.reply);
    result.connection_failed = data.kind == StepResult::Kind::failed;
    result.detail = data.detail;
    co_return result;
  }
  DotStuffer stuffer;
  for (std::size_t off = 0; off < message.size(); off += kDataChunk) {
    const std::string chunk =
        stuffer.feed(std::string_view(message).substr(off, kDataChunk));
    StepResult w = co_await write(chunk, t.data_block);
    if (!w.ok()) {
      set_accepted(w.reply);
      result.connection_failed = true;
      result.detail = w.detail;
      co_return result;
    }
  }
  StepResult end = co_await write(stuffer.finish(), t.data_block);
  if (end.ok()) end = co_await read_reply(t.data_end, 2);
  set_accepted(end.reply);
  result.connection_failed = end.kind == StepResult::Kind::failed;
  result.detail = end.detail;
  co_return result;
}

}  // namespace postern::smtp::client
