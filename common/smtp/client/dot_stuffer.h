// Transparency for DATA (RFC 5321 4.5.2): pure and streaming.
//
// Contract: the concatenated output of feed() calls and finish() is valid DATA content:
// a '.' at the start of a line is doubled, every line ends in CRLF, and it ends with the
// terminating "<CRLF>.<CRLF>". Bare CR and bare LF are written as CRLF, so no byte of the
// message can form an end-of-data sequence that a lenient receiver might honour (SMTP
// smuggling: "\n.\r\n", "\n.\n", "\r.\r\n"). A message that already is CRLF-clean (what the
// edge accepts) passes through unchanged apart from the stuffing. Chunk boundaries anywhere,
// including between CR and LF, give the same output.
#pragma once

#include <string>
#include <string_view>

namespace postern::smtp::client {

class DotStuffer {
 public:
  std::string feed(std::string_view chunk);
  std::string finish();

 private:
  bool line_start_ = true;
  bool pending_cr_ = false;
};

// The whole message at once: feed(message) + finish().
std::string dot_stuff(std::string_view message);

}  // namespace postern::smtp::client
