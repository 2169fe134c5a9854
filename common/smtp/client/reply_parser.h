// Incremental parser of SMTP replies as a client receives them (RFC 5321 4.2).
//
// Contract: pure (no I/O, no clock). feed() appends received bytes; next() returns the next
// complete reply, need_more, or an error. An error is sticky: after a malformed reply the byte
// stream cannot be trusted, so the connection must be closed. Lines end in CRLF; a bare LF is
// tolerated as a line end (some peers), a CR before it is stripped. Caps: one line of at most
// `max_line` octets (RFC 5321 4.5.3.1.5 says 512; peers exceed it, so the default is generous)
// and at most `max_lines` lines per reply, so a hostile peer cannot make us buffer without
// bound. The enhanced status code (RFC 2034) is taken from each line when its class matches
// the reply code, and stripped from the text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/smtp/reply.h"

namespace postern::smtp::client {

struct ReplyLimits {
  std::size_t max_line = 4096;   // octets, CRLF included
  std::size_t max_lines = 128;   // lines of one multi-line reply
};

struct ParseEvent {
  enum class Kind { need_more, reply, error };
  Kind kind = Kind::need_more;
  Reply reply;        // kind == reply
  std::string error;  // kind == error: what was wrong, for logs
};

class ReplyParser {
 public:
  explicit ReplyParser(ReplyLimits limits = {}) : limits_(limits) {}

  void feed(std::string_view bytes) { buffer_.append(bytes); }
  ParseEvent next();

  // Bytes received but not yet consumed by a complete reply. After a reply that changes the
  // protocol (220 to STARTTLS) this must be zero, or the peer injected data (CVE-2011-0411).
  std::size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  ParseEvent fail(std::string why);

  ReplyLimits limits_;
  std::string buffer_;
  std::size_t consumed_ = 0;  // bytes of buffer_ belonging to replies already returned
  std::string error_;
};

}  // namespace postern::smtp::client
