// Incremental reader of the DATA phase (RFC 5321 4.1.1.4, 4.5.2), fed any fragment sizes.
//
// SECURITY: the ONLY end of the message is CRLF "." CRLF with the "." at a line start (the
// CRLF of the DATA command counts as the first line start). Look-alikes — "\n.\r\n",
// "\n.\n", "\r.\r\n", "\r\n.\n", "\r\n.\r" followed by anything but LF — never end the message,
// so bytes after them can never be read as commands (SMTP smuggling). Such messages contain a
// bare CR or LF and are refused at their real end (see body.h). Dot-stuffing is removed: a
// "." at a line start is dropped. Memory is bounded by the size limit (see BodySink).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/smtp/codec/body.h"

namespace postern::smtp::codec {

class DataReader {
 public:
  explicit DataReader(uint64_t max_size) : sink_(max_size) {}

  struct Result {
    std::size_t consumed = 0;  // octets of the input used; stops right after the end marker
    bool done = false;         // the end marker was seen; call take()
  };
  Result feed(std::string_view in);

  // The message after done; the reader is then spent.
  Body take() { return sink_.finish(); }

 private:
  enum class State { line_start, in_line, dot, dot_cr, done };
  State state_ = State::line_start;
  bool prev_cr_ = false;  // in_line: the last wire octet was CR
  BodySink sink_;
};

}  // namespace postern::smtp::codec
