#include "common/smtp/client/reply_parser.h"

#include <vector>

namespace postern::smtp::client {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

ParseEvent ReplyParser::fail(std::string why) {
  error_ = std::move(why);
  return ParseEvent{ParseEvent::Kind::error, Reply(), error_};
}

ParseEvent ReplyParser::next() {
  if (!error_.empty()) return ParseEvent{ParseEvent::Kind::error, Reply(), error_};
  // Compact once the consumed prefix dominates, keeping amortised O(n).
  if (consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }

  int code = 0;
  EnhancedStatus status;
  std::vector<std::string> lines;
  std::size_t pos = consumed_;
  for (;;) {
    const std::size_t nl = buffer_.find('\n', pos);
    if (nl == std::string::npos) {
      if (buffer_.size() - pos > limits_.max_line) return fail("reply line too long");
      return ParseEvent{};  // need more
    }
    if (nl + 1 - pos > limits_.max_line) return fail("reply line too long");
    std::string_view line(buffer_.data() + pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;

    if (line.size() < 3 || !digit(line[0]) || !digit(line[1]) || !digit(line[2]))
      return fail("reply line without a code");
    const int line_code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (line_code < 200 || line_code > 599) return fail("reply code out of range");
    if (code != 0 && line_code != code) return fail("reply code changes within a reply");
    code = line_code;
    bool last = true;
    if (line.size() > 3) {
      if (line[3] == '-') last = false;
      else if (line[3] != ' ') return fail("reply code not followed by space or hyphen");
    }
    std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view();
    std::size_t used = 0;
    const EnhancedStatus line_status = parse_enhanced_status(text, &used);
    if (line_status.present() && line_status.cls == code / 100) {
      status = line_status;
      text.remove_prefix(used);
    }
    std::string clean(text);
    for (char& c : clean)
      if (c == '\r') c = ' ';  // a stray CR inside a line must not invalidate the reply
    lines.push_back(std::move(clean));
    if (lines.size() > limits_.max_lines) return fail("too many reply lines");
    if (last) break;
  }
  consumed_ = pos;
  // RFC 2034 puts the status on every line; some servers send it only on the first or the
  // last: `status` holds the last one seen.
  ParseEvent event;
  event.kind = ParseEvent::Kind::reply;
  event.reply = Reply(code, status, std::move(lines));
  return event;
}

}  // namespace postern::smtp::client
