#include "common/mailauth/authres/value.h"

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

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322 atext.
bool atext(char c) {
  if (alnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

// dot-atom-text: 1*atext *("." 1*atext)
bool dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.' ? prev == '.' : !atext(c)) return false;
    prev = c;
  }
  return true;
}

// A DNS name: letters, digits, '-', '_' in dot-separated labels.
bool domain_name(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.' ? prev == '.' : !(alnum(c) || c == '-' || c == '_')) return false;
    prev = c;
  }
  return true;
}

bool control(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b < 0x20 || b == 0x7f;
}

}  // namespace

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7f || tspecial(c)) return false;
  }
  return true;
}

std::string format_value(std::string_view value) {
  std::string clean;
  clean.reserve(value.size());
  for (char c : value) {
    if (!control(c)) clean += c;
  }
  if (is_token(clean)) return clean;
  const std::size_t at = clean.rfind('@');
  if (at != std::string::npos) {
    const std::string_view local = std::string_view(clean).substr(0, at);
    const std::string_view domain = std::string_view(clean).substr(at + 1);
    if ((local.empty() || dot_atom(local)) && domain_name(domain)) return clean;
  } else if (domain_name(clean)) {
    return clean;
  }
  std::string quoted = "\"";
  for (char c : clean) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

}  // namespace postern::mailauth::authres
