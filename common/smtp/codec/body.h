// Message content as received in DATA or BDAT, and the checks applied to it on the way in.
//
// SECURITY: content is untrusted. BodySink bounds memory by the size limit: past the limit it
// keeps counting (so the session stays in sync with the client) but stores nothing more.
// Content rules, checked on the unstuffed octets:
//  - bare CR or bare LF anywhere (RFC 5321 2.3.8) → the message is refused at its real end
//    with `550 5.6.11 Message contains bare CR or LF` (we choose to refuse rather than to
//    repair, so that no downstream MTA can be made to see a different message end);
//  - a line over 1000 octets including CRLF (RFC 5321 4.5.3.1.6) → `500 5.5.6`;
//  - more than the size limit → `552 5.3.4`.
// When several apply, the reply is the first in the order size, bare CR/LF, line length.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/smtp/reply.h"

namespace postern::smtp::codec {

enum class BodyError { none, too_big, bare_cr_lf, line_too_long };

struct Body {
  std::string content;  // CRLF line ends, no dot-stuffing; emptied when error == too_big
  uint64_t size = 0;    // octets received (counted past the limit too)
  BodyError error = BodyError::none;

  bool ok() const { return error == BodyError::none; }
  // The reply refusing this body; nullopt when ok().
  std::optional<Reply> error_reply() const;
};

class BodySink {
 public:
  static constexpr std::size_t kMaxLine = 1000;  // octets including CRLF

  explicit BodySink(uint64_t max_size) : max_size_(max_size) {}

  void append(std::string_view bytes);
  // Ends the content: a trailing CR without LF counts as bare. Leaves the sink empty.
  Body finish();

  uint64_t size() const { return body_.size; }
  BodyError error() const { return body_.error; }

 private:
  void flag(BodyError e);

  uint64_t max_size_;
  Body body_;
  std::size_t line_length_ = 0;
  bool prev_cr_ = false;
  bool bare_ = false;
  bool long_line_ = false;
};

}  // namespace postern::smtp::codec
