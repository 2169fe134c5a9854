#include "common/smtp/codec/body.h"

namespace postern::smtp::codec {

std::optional<Reply> Body::error_reply() const {
  switch (error) {
    case BodyError::none:
      return std::nullopt;
    case BodyError::too_big:
      return Reply(552, {5, 3, 4}, "Message size exceeds fixed maximum message size");
    case BodyError::bare_cr_lf:
      return Reply(550, {5, 6, 11}, "Message contains bare CR or LF");
    case BodyError::line_too_long:
      return Reply(500, {5, 5, 6}, "Message line longer than 1000 octets");
  }
  return Reply(451, {4, 3, 0}, "Internal error");
}

void BodySink::flag(BodyError e) {
  // Keep the most important error: size beats bare CR/LF beats line length.
  if (body_.error == BodyError::none || static_cast<int>(e) < static_cast<int>(body_.error))
    body_.error = e;
}

void BodySink::append(std::string_view bytes) {
  if (bytes.empty()) return;
  const uint64_t before = body_.size;
  body_.size += bytes.size();
  if (body_.size > max_size_) {
    if (body_.error != BodyError::too_big) {
      body_.content.clear();
      body_.content.shrink_to_fit();
    }
    flag(BodyError::too_big);
  } else {
    if (before == 0 && body_.content.capacity() < 4096) body_.content.reserve(4096);
    body_.content.append(bytes);
  }
  for (char c : bytes) {
    ++line_length_;
    if (c == '\n') {
      if (!prev_cr_) bare_ = true;
      else {
        if (line_length_ > kMaxLine) long_line_ = true;
        line_length_ = 0;
      }
    } else if (prev_cr_) {
      bare_ = true;  // CR not followed by LF
    }
    if (line_length_ > kMaxLine) long_line_ = true;
    prev_cr_ = c == '\r';
  }
  if (bare_) flag(BodyError::bare_cr_lf);
  if (long_line_) flag(BodyError::line_too_long);
}

Body BodySink::finish() {
  if (prev_cr_) flag(BodyError::bare_cr_lf);
  Body out = std::move(body_);
  if (!out.ok()) {
    out.content.clear();
    out.content.shrink_to_fit();
  }
  body_ = Body{};
  line_length_ = 0;
  prev_cr_ = bare_ = long_line_ = false;
  return out;
}

}  // namespace postern::smtp::codec
