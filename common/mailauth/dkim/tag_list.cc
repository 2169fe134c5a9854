#include "common/mailauth/dkim/tag_list.h"

#include "common/mailauth/dkim/limits.h"

namespace postern::mailauth::dkim {
namespace {

bool wsp(char c) { return c == ' ' || c == '\t'; }
bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool valchar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 0x21 && u <= 0x7e && u != ';') || u >= 0x80;
}

// A cursor over the tag list that consumes FWS and reports malformed line ends.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  std::size_t pos() const { return pos_; }
  void advance() { ++pos_; }

  // Skips WSP and folding line ends. Returns false on a line end that is not followed by WSP
  // (a bare CR, or CRLF / LF ending the field inside the list).
  bool skip_fws() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (wsp(c)) {
        ++pos_;
      } else if (c == '\r' || c == '\n') {
        std::size_t next = pos_ + 1;
        if (c == '\r') {
          if (next >= text_.size() || text_[next] != '\n') return false;
          ++next;
        }
        if (next >= text_.size() || !wsp(text_[next])) return false;
        pos_ = next;
      } else {
        break;
      }
    }
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

const Tag* TagList::find(std::string_view name) const {
  for (const Tag& t : tags) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

TagList parse_tag_list(std::string_view text) {
  TagList out;
  if (text.size() > kMaxTagListBytes) {
    out.error = "tag list longer than " + std::to_string(kMaxTagListBytes) + " octets";
    return out;
  }
  Scanner s(text);
  while (true) {
    if (!s.skip_fws()) return TagList{{}, "line end not followed by white space"};
    if (s.at_end()) {
      // "" or a trailing ";" followed by FWS; an empty list is syntactically valid and the
      // callers reject it for missing required tags.
      return out;
    }
    const std::size_t name_start = s.pos();
    if (!alpha(s.peek())) return TagList{{}, "tag name must start with a letter"};
    while (!s.at_end() && (alpha(s.peek()) || digit(s.peek()) || s.peek() == '_')) s.advance();
    const std::string_view name = text.substr(name_start, s.pos() - name_start);
    if (!s.skip_fws()) return TagList{{}, "line end not followed by white space"};
    if (s.at_end() || s.peek() != '=') {
      return TagList{{}, "tag \"" + std::string(name) + "\" has no \"=\""};
    }
    s.advance();
    if (!s.skip_fws()) return TagList{{}, "line end not followed by white space"};
    const std::size_t value_start = s.pos();
    std::size_t value_end = value_start;
    while (!s.at_end() && s.peek() != ';') {
      if (valchar(s.peek())) {
        s.advance();
        value_end = s.pos();
      } else if (wsp(s.peek()) || s.peek() == '\r' || s.peek() == '\n') {
        if (!s.skip_fws()) return TagList{{}, "line end not followed by white space"};
      } else {
        return TagList{{}, "invalid character in value of tag \"" + std::string(name) + "\""};
      }
    }
    if (out.find(name) != nullptr) {
      return TagList{{}, "duplicate tag \"" + std::string(name) + "\""};
    }
    if (out.tags.size() >= kMaxTags) {
      return TagList{{}, "more than " + std::to_string(kMaxTags) + " tags"};
    }
    out.tags.push_back(Tag{name, text.substr(value_start, value_end - value_start)});
    if (s.at_end()) return out;
    s.advance();  // ';'
  }
}

std::string strip_fws(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (!wsp(c) && c != '\r' && c != '\n') out += c;
  }
  return out;
}

std::vector<std::string_view> split_list(std::string_view value, char separator) {
  std::vector<std::string_view> out;
  auto trim = [](std::string_view v) {
    auto fws = [](char c) { return wsp(c) || c == '\r' || c == '\n'; };
    while (!v.empty() && fws(v.front())) v.remove_prefix(1);
    while (!v.empty() && fws(v.back())) v.remove_suffix(1);
    return v;
  };
  std::size_t start = 0;
  while (true) {
    const std::size_t sep = value.find(separator, start);
    if (sep == std::string_view::npos) {
      out.push_back(trim(value.substr(start)));
      return out;
    }
    out.push_back(trim(value.substr(start, sep - start)));
    start = sep + 1;
  }
}

}  // namespace postern::mailauth::dkim
