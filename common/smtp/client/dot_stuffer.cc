#include "common/smtp/client/dot_stuffer.h"

namespace postern::smtp::client {

std::string DotStuffer::feed(std::string_view chunk) {
  std::string out;
  out.reserve(chunk.size() + chunk.size() / 64 + 4);
  for (char c : chunk) {
    if (pending_cr_) {
      pending_cr_ = false;
      out += "\r\n";
      line_start_ = true;
      if (c == '\n') continue;  // the CR's own LF
    }
    if (c == '\r') {
      pending_cr_ = true;
      continue;
    }
    if (c == '\n') {  // bare LF
      out += "\r\n";
      line_start_ = true;
      continue;
    }
    if (line_start_ && c == '.') out += '.';
    out += c;
    line_start_ = false;
  }
  return out;
}

std::string DotStuffer::finish() {
  std::string out;
  if (pending_cr_) {
    pending_cr_ = false;
    out += "\r\n";
    line_start_ = true;
  }
  if (!line_start_) out += "\r\n";
  out += ".\r\n";
  line_start_ = true;
  return out;
}

std::string dot_stuff(std::string_view message) {
  DotStuffer stuffer;
  std::string out = stuffer.feed(message);
  out += stuffer.finish();
  return out;
}

}  // namespace postern::smtp::client
