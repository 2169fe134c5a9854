#include "common/smtp/codec/data_reader.h"

namespace postern::smtp::codec {

DataReader::Result DataReader::feed(std::string_view in) {
  Result r;
  if (state_ == State::done) {
    r.done = true;
    return r;
  }
  // Content octets are handed to the sink in runs, not one by one.
  std::size_t run_start = 0;
  auto flush = [&](std::size_t end) {
    if (end > run_start) sink_.append(in.substr(run_start, end - run_start));
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    switch (state_) {
      case State::line_start:
        if (c == '.') {
          flush(i);  // drop the dot (stuffing, or the start of the end marker)
          run_start = i + 1;
          state_ = State::dot;
          break;
        }
        state_ = State::in_line;
        prev_cr_ = c == '\r';
        break;
      case State::in_line:
        if (c == '\n' && prev_cr_) state_ = State::line_start;
        prev_cr_ = c == '\r';
        break;
      case State::dot:
        if (c == '\r') {
          state_ = State::dot_cr;  // hold the CR: it may be the end marker's
          run_start = i + 1;
          break;
        }
        state_ = State::in_line;  // "." + anything but CR: an ordinary (unstuffed) line
        prev_cr_ = false;
        break;
      case State::dot_cr:
        if (c == '\n') {  // CRLF "." CRLF
          state_ = State::done;
          r.consumed = i + 1;
          r.done = true;
          return r;
        }
        sink_.append("\r");  // the held CR was content ("." CR X): a bare CR
        state_ = State::in_line;
        prev_cr_ = c == '\r';
        break;
      case State::done:
        break;
    }
  }
  if (state_ != State::dot_cr) flush(in.size());
  r.consumed = in.size();
  return r;
}

}  // namespace postern::smtp::codec
