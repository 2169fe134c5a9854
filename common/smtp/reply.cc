#include "common/smtp/reply.h"

#include <charconv>

namespace postern::smtp {
namespace {

bool valid_code(int code) { return code >= 200 && code <= 599 && (code % 100) / 10 <= 5; }

bool clean(const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; }

}  // namespace

std::string EnhancedStatus::to_string() const {
  if (!present()) return {};
  return std::to_string(cls) + "." + std::to_string(subject) + "." + std::to_string(detail);
}

Reply::Reply(int code, EnhancedStatus status, std::string text, bool disconnect)
    : Reply(code, status, std::vector<std::string>{std::move(text)}, disconnect) {}

Reply::Reply(int code, EnhancedStatus status, std::vector<std::string> lines, bool disconnect)
    : code_(code), status_(status), lines_(std::move(lines)), disconnect_(disconnect) {
  bool ok = valid_code(code_) && !lines_.empty() &&
            (!status_.present() || status_.cls == code_ / 100);
  for (const auto& l : lines_) ok = ok && clean(l);
  if (!ok) {
    code_ = 451;
    status_ = {4, 3, 0};
    lines_ = {"Internal error: malformed reply suppressed"};
  }
}

Reply Reply::plain(int code, std::string text, bool disconnect) {
  return Reply(code, EnhancedStatus{}, std::move(text), disconnect);
}

std::string Reply::text() const {
  std::string out;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    if (i) out += '\n';
    out += lines_[i];
  }
  return out;
}

std::string Reply::wire() const {
  std::string out;
  const std::string code = std::to_string(code_);
  const std::string status = status_.present() ? status_.to_string() + " " : std::string();
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    out += code;
    out += (i + 1 < lines_.size()) ? '-' : ' ';
    out += status;
    out += lines_[i];
    out += "\r\n";
  }
  return out;
}

std::string Reply::to_string() const {
  std::string out = std::to_string(code_);
  if (status_.present()) out += " " + status_.to_string();
  for (const auto& l : lines_) {
    out += ' ';
    out += l;
  }
  return out;
}

EnhancedStatus parse_enhanced_status(std::string_view text, std::size_t* consumed) {
  EnhancedStatus st;
  if (consumed) *consumed = 0;
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.')
    return {};
  unsigned subject = 0, detail = 0;
  const char* p = text.data() + 2;
  const char* end = text.data() + text.size();
  auto r1 = std::from_chars(p, end, subject);
  if (r1.ec != std::errc() || r1.ptr == p || r1.ptr - p > 3 || r1.ptr == end || *r1.ptr != '.')
    return {};
  const char* q = r1.ptr + 1;
  auto r2 = std::from_chars(q, end, detail);
  if (r2.ec != std::errc() || r2.ptr == q || r2.ptr - q > 3) return {};
  if (r2.ptr != end && *r2.ptr != ' ') return {};
  st.cls = static_cast<uint8_t>(text[0] - '0');
  st.subject = static_cast<uint16_t>(subject);
  st.detail = static_cast<uint16_t>(detail);
  if (consumed) *consumed = static_cast<std::size_t>(r2.ptr - text.data()) + (r2.ptr != end ? 1 : 0);
  return st;
}

}  // namespace postern::smtp
