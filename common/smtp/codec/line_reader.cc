#include "common/smtp/codec/line_reader.h"

namespace postern::smtp::codec {

Reply LineEvent::error_reply() const {
  switch (kind) {
    case Kind::too_long:
      return Reply(500, {5, 5, 6}, "Line too long");
    case Kind::bare_cr_lf:
      return Reply(500, {5, 5, 2}, "Bare CR or LF in command line (RFC 5321 2.3.8)");
    case Kind::line:
      break;
  }
  return Reply(500, {5, 5, 2}, "Syntax error");
}

void LineReader::reset() {
  line_.clear();
  line_.shrink_to_fit();
  cr_pending_ = false;
  bare_ = false;
  discarding_ = false;
}

LineReader::Result LineReader::feed(std::string_view in) {
  Result r;
  constexpr std::size_t kMaxContent = kMaxLine - 2;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '\n' && cr_pending_) {  // CRLF: the only line end
      r.consumed = i + 1;
      LineEvent ev;
      if (discarding_) ev.kind = LineEvent::Kind::too_long;
      else if (bare_) ev.kind = LineEvent::Kind::bare_cr_lf;
      else ev.text = std::move(line_);
      line_.clear();
      cr_pending_ = bare_ = discarding_ = false;
      r.event = std::move(ev);
      return r;
    }
    // The previous CR was not followed by LF: it is a bare CR, and line content.
    if (cr_pending_) {
      bare_ = true;
      if (!discarding_) line_ += '\r';
      cr_pending_ = false;
    }
    if (c == '\r') {
      cr_pending_ = true;
    } else {
      if (c == '\n') bare_ = true;
      if (!discarding_) line_ += c;
    }
    // "<998 octets>\r\n" is the longest line; a pending CR is not content (yet).
    if (!discarding_ && line_.size() > kMaxContent) {
      discarding_ = true;
      line_.clear();
    }
  }
  r.consumed = in.size();
  return r;
}

}  // namespace postern::smtp::codec
