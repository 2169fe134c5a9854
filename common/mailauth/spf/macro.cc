// Grammar (RFC 7208 7.1):
//   macro-string = *( macro-expand / macro-literal )
//   macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
//   macro-literal = %x21-24 / %x26-7E
//   transformers = *DIGIT [ "r" ]          ; DIGIT value nonzero (7.3)
//   delimiter = "." / "-" / "+" / "," / "/" / "_" / "="
#include "common/mailauth/spf/macro.h"

#include <algorithm>
#include <string>
#include <vector>

namespace postern::spf {
namespace {

struct Token {
  enum class Kind { literal, macro } kind = Kind::literal;
  std::string_view literal;  // for literal tokens; "%%" "%_" "%-" become literals "%" " " "%20"
  bool escape = false;       // the literal came from "%%", "%_" or "%-" (a macro-expand)
  char letter = 0;           // lower case
  bool url_escape = false;   // upper-case letter
  std::size_t keep = 0;      // rightmost parts to keep; 0 = all
  bool reverse = false;
  std::string_view delimiters;  // empty = "."
};

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_delimiter(char c) {
  return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}
bool is_letter(char c, MacroMode mode) {
  switch (lower(c)) {
    case 's': case 'l': case 'o': case 'd': case 'i': case 'p': case 'h': case 'v':
      return true;
    case 'c': case 'r': case 't':
      return mode != MacroMode::domain;
    default:
      return false;
  }
}
bool is_literal(char c, MacroMode mode) {
  const auto u = static_cast<unsigned char>(c);
  if (u == ' ') return mode == MacroMode::explanation;
  return u >= 0x21 && u <= 0x7e && c != '%';
}

// Splits `text` into tokens; false on a syntax error. `out` may be null (validation only).
bool tokenize(std::string_view text, MacroMode mode, std::vector<Token>* out) {
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '%') {
      const std::size_t start = i;
      while (i < text.size() && text[i] != '%') {
        if (!is_literal(text[i], mode)) return false;
        ++i;
      }
      if (out) {
        Token token;
        token.literal = text.substr(start, i - start);
        out->push_back(token);
      }
      continue;
    }
    if (i + 1 >= text.size()) return false;
    const char next = text[i + 1];
    if (next == '%' || next == '_' || next == '-') {
      const std::string_view lit = next == '%' ? "%" : next == '_' ? " " : "%20";
      if (out) {
        Token token;
        token.literal = lit;
        token.escape = true;
        out->push_back(token);
      }
      i += 2;
      continue;
    }
    if (next != '{') return false;
    i += 2;
    if (i >= text.size() || !is_letter(text[i], mode)) return false;
    Token token;
    token.kind = Token::Kind::macro;
    token.letter = lower(text[i]);
    token.url_escape = text[i] >= 'A' && text[i] <= 'Z';
    ++i;
    const std::size_t digits_start = i;
    std::size_t keep = 0;
    while (i < text.size() && is_digit(text[i])) {
      keep = keep * 10 + static_cast<std::size_t>(text[i] - '0');
      if (keep > 1000) keep = 1000;  // more parts than any name has: "all"
      ++i;
    }
    if (i > digits_start && keep == 0) return false;  // 7.3: the DIGIT value MUST be nonzero
    token.keep = keep;
    if (i < text.size() && lower(text[i]) == 'r') {
      token.reverse = true;
      ++i;
    }
    const std::size_t delimiters_start = i;
    while (i < text.size() && is_delimiter(text[i])) ++i;
    token.delimiters = text.substr(delimiters_start, i - delimiters_start);
    if (i >= text.size() || text[i] != '}') return false;
    ++i;
    if (out) out->push_back(token);
  }
  return true;
}

// toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
bool is_toplabel(std::string_view label) {
  if (label.empty()) return false;
  bool alpha = false, dash = false;
  for (char c : label) {
    if (is_alpha(c)) alpha = true;
    else if (c == '-') dash = true;
    else if (!is_digit(c)) return false;
  }
  if (label.front() == '-' || label.back() == '-') return false;
  return alpha || dash;
}

std::string url_escape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    if (is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

std::string raw_value(char letter, const MacroContext& ctx) {
  switch (letter) {
    case 's': return std::string(ctx.sender);
    case 'l': return std::string(ctx.local_part);
    case 'o': return std::string(ctx.sender_domain);
    case 'd': return std::string(ctx.domain);
    case 'i': return to_dotted(ctx.ip);
    case 'p': return std::string(ctx.validated_name.empty() ? "unknown" : ctx.validated_name);
    case 'v': return ctx.ip.v6 ? "ip6" : "in-addr";
    case 'h': return std::string(ctx.helo);
    case 'c': return to_text(ctx.ip);
    case 'r': return std::string(ctx.receiver.empty() ? "unknown" : ctx.receiver);
    case 't': return std::to_string(ctx.timestamp);
    default: return {};
  }
}

// 7.3: split on the delimiters, optionally reverse, keep the rightmost `keep`, join with ".".
std::string transform(const std::string& value, const Token& token) {
  if (token.keep == 0 && !token.reverse && token.delimiters.empty()) return value;
  const std::string_view delimiters = token.delimiters.empty() ? "." : token.delimiters;
  std::vector<std::string_view> parts;
  const std::string_view v(value);
  std::size_t start = 0;
  for (std::size_t i = 0; i <= v.size(); ++i) {
    if (i == v.size() || delimiters.find(v[i]) != std::string_view::npos) {
      parts.push_back(v.substr(start, i - start));
      start = i + 1;
    }
  }
  if (token.reverse) std::reverse(parts.begin(), parts.end());
  std::size_t first = 0;
  if (token.keep != 0 && token.keep < parts.size()) first = parts.size() - token.keep;
  std::string out;
  for (std::size_t i = first; i < parts.size(); ++i) {
    if (i > first) out += '.';
    out += parts[i];
  }
  return out;
}

}  // namespace

bool is_valid_macro_string(std::string_view text, MacroMode mode) {
  return tokenize(text, mode, nullptr);
}

bool is_valid_domain_spec(std::string_view text) {
  std::vector<Token> tokens;
  if (text.empty() || !tokenize(text, MacroMode::domain, &tokens)) return false;
  const Token& last = tokens.back();
  if (last.kind == Token::Kind::macro || last.escape) return true;
  // domain-end = "." toplabel [ "." ], inside the final literal run.
  std::string_view tail = last.literal;
  if (!tail.empty() && tail.back() == '.') tail.remove_suffix(1);
  const std::size_t dot = tail.rfind('.');
  if (dot == std::string_view::npos) return false;
  return is_toplabel(tail.substr(dot + 1));
}

bool uses_validated_name(std::string_view text, MacroMode mode) {
  std::vector<Token> tokens;
  if (!tokenize(text, mode, &tokens)) return false;
  for (const auto& token : tokens)
    if (token.kind == Token::Kind::macro && token.letter == 'p') return true;
  return false;
}

std::optional<std::string> expand(std::string_view text, const MacroContext& context,
                                  MacroMode mode) {
  std::vector<Token> tokens;
  if (!tokenize(text, mode, &tokens)) return std::nullopt;
  std::string out;
  for (const auto& token : tokens) {
    if (token.kind == Token::Kind::literal) {
      out += token.literal;
    } else {
      std::string value = transform(raw_value(token.letter, context), token);
      out += token.url_escape ? url_escape(value) : value;
    }
    if (out.size() > kMaxExpansion) return std::nullopt;
  }
  return out;
}

}  // namespace postern::spf
