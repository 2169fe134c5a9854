#include "common/smtp/codec/address.h"

#include <arpa/inet.h>  // inet_pton: a pure text-to-binary conversion, no sockets

#include <cstdint>
#include <string_view>

namespace postern::smtp::codec {
namespace {

constexpr std::size_t kMaxLocal = 64;
constexpr std::size_t kMaxDomain = 255;
constexpr std::size_t kMaxPath = 256;  // RFC 5321 4.5.3.1.3, including the angle brackets

bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_atext(unsigned char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}':
    case '~':
      return true;
    default:
      return false;
  }
}
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool has_non_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return true;
  return false;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// Dot-string = Atom *("." Atom); UTF-8 octets count as atext under SMTPUTF8 (RFC 6531 3.3).
bool valid_dot_string(std::string_view s, bool utf8) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (unsigned char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!(is_atext(c) || (utf8 && c >= 0x80))) {
      return false;
    }
    prev = static_cast<char>(c);
  }
  return true;
}

// Quoted-string including its quotes. Returns the length consumed, 0 when invalid.
std::size_t scan_quoted(std::string_view s, bool utf8) {
  if (s.empty() || s[0] != '"') return 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"') return i + 1;
    if (c == '\\') {
      if (i + 1 >= s.size()) return 0;
      const unsigned char n = static_cast<unsigned char>(s[i + 1]);
      if (n < 32 || n > 126) return 0;  // quoted-pairSMTP = %d92 %d32-126
      ++i;
      continue;
    }
    const bool qtext = (c >= 32 && c <= 126) || (utf8 && c >= 0x80);
    if (!qtext) return 0;
  }
  return 0;
}

// sub-domain = Let-dig [Ldh-str]; U-label octets count as letters under SMTPUTF8.
bool valid_label(std::string_view l, bool utf8, bool allow_underscore) {
  if (l.empty() || l.size() > 63) return false;
  auto letdig = [&](unsigned char c) {
    return is_alpha(c) || is_digit(c) || (utf8 && c >= 0x80) || (allow_underscore && c == '_');
  };
  if (!letdig(static_cast<unsigned char>(l.front())) ||
      !letdig(static_cast<unsigned char>(l.back())))
    return false;
  for (unsigned char c : l)
    if (!letdig(c) && c != '-') return false;
  return true;
}

std::string normalise_literal(std::string_view lit) {
  if (lit.size() < 3 || lit.front() != '[' || lit.back() != ']') return {};
  std::string_view inner = lit.substr(1, lit.size() - 2);
  unsigned char buf[16];
  std::string text;
  if (inner.size() > 5 && iequals(inner.substr(0, 5), "IPv6:")) {
    text.assign(inner.substr(5));
    if (text.size() > 45 || inet_pton(AF_INET6, text.c_str(), buf) != 1) return {};
    text = "ipv6:" + text;
  } else {
    text.assign(inner);
    if (text.size() > 15 || inet_pton(AF_INET, text.c_str(), buf) != 1) return {};
  }
  std::string out = "[";
  for (char c : text) out += lower(c);
  out += ']';
  return out;
}

std::string normalise(std::string_view d, bool utf8, bool allow_literal, bool allow_underscore) {
  if (d.empty()) return {};
  if (d.front() == '[') return allow_literal ? normalise_literal(d) : std::string();
  if (d.back() == '.') d.remove_suffix(1);
  if (d.empty() || d.size() > kMaxDomain) return {};
  if (has_non_ascii(d) && (!utf8 || !valid_utf8(d))) return {};
  std::string out;
  out.reserve(d.size());
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = d.find('.', start);
    const std::string_view label =
        d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!valid_label(label, utf8, allow_underscore)) return {};
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  for (char c : d) out += lower(c);
  return out;
}

// A-d-l = At-domain *( "," At-domain ); At-domain = "@" Domain.
bool valid_source_route(std::string_view adl, bool utf8) {
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = adl.find(',', start);
    std::string_view at =
        adl.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (at.size() < 2 || at[0] != '@') return false;
    if (normalise(at.substr(1), utf8, false, false).empty()) return false;
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

}  // namespace

std::string Mailbox::to_string() const {
  if (domain.empty()) return local;
  return local + "@" + domain;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

std::string normalise_domain(std::string_view domain, bool allow_utf8, bool allow_literal) {
  return normalise(domain, allow_utf8, allow_literal, false);
}

PathResult parse_path(std::string_view text, PathKind kind, bool smtputf8) {
  PathResult r;
  r.error = AddressError::syntax;
  if (text.empty() || text[0] != '<') return r;

  // Find the closing '>' outside a quoted string.
  std::size_t close = std::string_view::npos;
  bool quoted = false;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '>') {
      close = i;
      break;
    }
    if (i >= kMaxPath + 64) break;  // hopeless; stop scanning untrusted input early
  }
  if (close == std::string_view::npos) {
    if (text.size() > kMaxPath) r.error = AddressError::path_too_long;
    return r;
  }
  if (close + 1 > kMaxPath) {
    r.error = AddressError::path_too_long;
    return r;
  }
  std::string_view inner = text.substr(1, close - 1);
  r.consumed = close + 1;

  if (has_non_ascii(inner)) {
    if (!smtputf8) {
      r.error = AddressError::non_ascii;
      return r;
    }
    if (!valid_utf8(inner)) return r;
  }

  if (inner.empty()) {
    if (kind == PathKind::reverse) r.error = AddressError::none;
    return r;
  }
  if (kind == PathKind::forward && iequals(inner, "postmaster")) {
    r.mailbox.local = "postmaster";
    r.error = AddressError::none;
    return r;
  }
  if (inner[0] == '@') {  // source route: accepted, checked, dropped (RFC 5321 4.1.2, C.)
    const std::size_t colon = inner.find(':');
    if (colon == std::string_view::npos || !valid_source_route(inner.substr(0, colon), smtputf8))
      return r;
    inner.remove_prefix(colon + 1);
  }

  std::string_view local;
  std::string_view rest;
  if (!inner.empty() && inner[0] == '"') {
    const std::size_t q = scan_quoted(inner, smtputf8);
    if (q == 0 || q >= inner.size() || inner[q] != '@') return r;
    local = inner.substr(0, q);
    rest = inner.substr(q + 1);
  } else {
    const std::size_t at = inner.find('@');
    if (at == std::string_view::npos) return r;
    local = inner.substr(0, at);
    if (!valid_dot_string(local, smtputf8)) return r;
    rest = inner.substr(at + 1);
  }
  if (local.size() > kMaxLocal) {
    r.error = AddressError::local_too_long;
    return r;
  }
  if (rest.size() > kMaxDomain + 1 || (rest.size() == kMaxDomain + 1 && rest.back() != '.')) {
    r.error = AddressError::domain_too_long;
    return r;
  }
  std::string domain = normalise(rest, smtputf8, true, false);
  if (domain.empty()) return r;
  r.mailbox.local.assign(local);
  r.mailbox.domain = std::move(domain);
  r.error = AddressError::none;
  return r;
}

}  // namespace postern::smtp::codec
