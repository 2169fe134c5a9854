#include "common/mailauth/authres/authserv_id.h"

namespace postern::mailauth::authres {
namespace {

bool tspecial(char c) {
  switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':':
    case '\\': case '"': case '/': case '[': case ']': case '?': case '=':
      return true;
    default:
      return false;
  }
}

// Token characters, plus UTF-8 bytes (RFC 8616).
bool token_char(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b >= 0x80 || (b > 0x20 && b < 0x7f && !tspecial(c));
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }
  void advance() { ++pos_; }

  // [CFWS]; false on an unterminated or too deeply nested comment.
  bool skip_cfws() {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        advance();
      } else if (c == '(') {
        if (!skip_comment()) return false;
      } else {
        break;
      }
    }
    return true;
  }

  // quoted-string after the opening '"'; nullopt when unterminated.
  std::optional<std::string> quoted() {
    std::string out;
    while (!at_end()) {
      const char c = peek();
      advance();
      if (c == '"') return out;
      if (c == '\\') {
        if (at_end()) return std::nullopt;
        out += peek();
        advance();
      } else if (c != '\r' && c != '\n') {
        out += c;
      }
    }
    return std::nullopt;
  }

  std::string token() {
    std::string out;
    while (!at_end() && token_char(peek())) {
      out += peek();
      advance();
    }
    return out;
  }

 private:
  bool skip_comment() {
    int depth = 0;
    while (!at_end()) {
      const char c = peek();
      advance();
      if (c == '\\') {
        if (at_end()) return false;
        advance();
      } else if (c == '(') {
        if (++depth > kMaxCommentDepth) return false;
      } else if (c == ')') {
        if (--depth == 0) return true;
      }
    }
    return false;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::optional<AuthservId> parse_authserv_id(std::string_view value) {
  // A value cut at the cap is scanned as is: an id or comment running past it is reported as
  // unparseable (unterminated), never completed by guessing.
  Scanner in(value.substr(0, kMaxScanBytes));
  AuthservId out;
  if (!in.skip_cfws() || in.at_end()) return std::nullopt;
  if (in.peek() == '"') {
    in.advance();
    auto q = in.quoted();
    if (!q || q->empty()) return std::nullopt;
    out.id = std::move(*q);
  } else {
    out.id = in.token();
    if (out.id.empty()) return std::nullopt;
    if (value.size() > kMaxScanBytes && in.at_end()) return std::nullopt;
  }
  if (!in.skip_cfws()) return out;
  if (!in.at_end() && in.peek() >= '0' && in.peek() <= '9') {
    unsigned version = 0;
    bool overflow = false;
    while (!in.at_end() && in.peek() >= '0' && in.peek() <= '9') {
      if (version > 100000) overflow = true;
      version = version * 10 + static_cast<unsigned>(in.peek() - '0');
      in.advance();
    }
    if (overflow || !in.skip_cfws()) return out;
    out.version = version;
  }
  const bool whole = value.size() <= kMaxScanBytes;
  out.well_formed = in.at_end() ? whole : in.peek() == ';';
  return out;
}

bool same_authserv_id(std::string_view a, std::string_view b) {
  if (!a.empty() && a.back() == '.') a.remove_suffix(1);
  if (!b.empty() && b.back() == '.') b.remove_suffix(1);
  if (a.empty() || a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace postern::mailauth::authres
