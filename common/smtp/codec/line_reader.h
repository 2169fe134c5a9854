// Assembles SMTP command lines from arbitrary byte fragments.
//
// SECURITY: input is untrusted. Contract:
//  - The only line end is CRLF. A bare CR or bare LF inside a line is not a line end: the
//    line is reported as `bare_cr_lf` when its CRLF arrives (reply 500 5.5.2), so bytes after
//    a bare LF can never be taken as a separate command.
//  - A line may hold at most 1000 octets including CRLF (RFC 5321 4.5.3.1.4/6). A longer one
//    is reported once as `too_long` (500 5.5.6) and its remaining bytes are discarded up to
//    and including the next CRLF; reading then resumes normally (resynchronisation).
//  - Memory is bounded by the line limit, whatever the input.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/smtp/reply.h"

namespace postern::smtp::codec {

struct LineEvent {
  enum class Kind { line, too_long, bare_cr_lf };
  Kind kind = Kind::line;
  std::string text;  // the line without CRLF (kind == line only)

  // The reply for an error event (500 5.5.6 / 500 5.5.2).
  Reply error_reply() const;
};

class LineReader {
 public:
  static constexpr std::size_t kMaxLine = 1000;  // octets including CRLF

  struct Result {
    std::size_t consumed = 0;        // octets of the input used
    std::optional<LineEvent> event;  // set when a line (or a line error) ended
  };

  // Consumes input up to and including the end of at most one line. Call again with the
  // unconsumed rest to get the next line. A result without event consumed all of `in`.
  Result feed(std::string_view in);

  // Forgets any partial line (used when STARTTLS discards pipelined plaintext).
  void reset();

  // True while a partial line is buffered.
  bool partial() const { return !line_.empty() || cr_pending_ || discarding_; }

 private:
  std::string line_;        // content so far (never more than kMaxLine - 2 octets)
  bool cr_pending_ = false; // last octet was CR
  bool bare_ = false;       // this line contains a bare CR or LF
  bool discarding_ = false; // line exceeded the limit; dropping until CRLF
};

}  // namespace postern::smtp::codec
