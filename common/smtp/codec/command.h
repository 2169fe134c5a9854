// SMTP server-side command parser (RFC 5321 4.1.1, RFC 1869/1870/6152/6531/3030/3207/4954,
// RFC 3461 parameters tolerated): one command line (without its CRLF) in, a typed Command or
// the Reply that says what is wrong out.
//
// SECURITY: input is an untrusted line of at most 998 octets (the LineReader enforces that).
// Pure function: no allocation beyond the values returned, no exceptions, no I/O.
//
// Replies produced here (the session adds sequence, policy and limit replies):
//   500 5.5.2  unknown command, or a command that is not syntactically one
//   501 5.5.4  bad or duplicate parameters / arguments
//   501 5.1.7  bad sender address          501 5.1.3  bad recipient address
//   553 5.6.7  non-ASCII address without SMTPUTF8 (RFC 6531 3.5)
//   555 5.5.4  unknown MAIL/RCPT parameter (RFC 5321 4.1.1.11)
// Verbs and parameter keywords are case-insensitive; an address's local part keeps its case.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/smtp/codec/address.h"
#include "common/smtp/reply.h"

namespace postern::smtp::codec {

enum class BodyType { unspecified, seven_bit, eight_bit_mime };

struct Helo {
  std::string domain;  // as normalised by normalise_domain, or the raw token when lenient
  bool extended = false;  // EHLO
};
struct MailFrom {
  Mailbox from;
  std::optional<uint64_t> size;  // SIZE=
  BodyType body = BodyType::unspecified;
  bool smtputf8 = false;
  std::string envid;   // RFC 3461 ENVID (xtext as sent), tolerated
  std::string ret;     // "FULL" / "HDRS", tolerated
  std::string auth;    // RFC 4954 AUTH= value (xtext or "<>"), tolerated, not trusted
};
struct RcptTo {
  Mailbox to;
  std::string notify;  // RFC 3461, tolerated
  std::string orcpt;
};
struct Data {};
struct Bdat {
  uint64_t size = 0;
  bool last = false;
};
struct Rset {};
struct Noop {};
struct Quit {};
struct Vrfy {
  std::string argument;
};
struct Help {};
struct StartTls {};
struct Auth {
  std::string mechanism;                       // upper-cased
  std::optional<std::string> initial_response; // base64 as sent; "=" means empty
};

using Command = std::variant<Helo, MailFrom, RcptTo, Data, Bdat, Rset, Noop, Quit, Vrfy, Help,
                             StartTls, Auth>;

// Either a command or the reply to send instead.
class CommandResult {
 public:
  CommandResult(Command c) : value_(std::move(c)) {}  // NOLINT: implicit by design
  CommandResult(Reply r) : value_(std::move(r)) {}    // NOLINT
  bool ok() const { return std::holds_alternative<Command>(value_); }
  const Command& command() const { return std::get<Command>(value_); }
  Command& command() { return std::get<Command>(value_); }
  const Reply& error() const { return std::get<Reply>(value_); }

 private:
  std::variant<Command, Reply> value_;
};

struct ParseContext {
  // The current transaction's MAIL carried SMTPUTF8: RCPT addresses may then be UTF-8.
  bool smtputf8_transaction = false;
};

CommandResult parse_command(std::string_view line, const ParseContext& context = {});

// The verb of a line, upper-cased, for logs ("AUTH" lines must be logged without payload).
std::string command_verb(std::string_view line);

}  // namespace postern::smtp::codec
