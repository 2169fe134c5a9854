#include "common/mailauth/dmarc/from_domain.h"

#include <vector>

#include "common/mailauth/dmarc/text.h"
#include "common/mime/headers.h"

namespace postern::mailauth::dmarc {
namespace {

using text::wsp;

// Step 1: the value without comments and quoted strings. A quoted string becomes one atom
// character ('Q'), a comment one space; domain literals are kept as written. Returns false on
// an unterminated construct or too deep comments.
bool skeleton(std::string_view in, std::string& out) {
  out.clear();
  std::size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    if (c == '"') {
      ++i;
      while (i < in.size() && in[i] != '"') i += (in[i] == '\\') ? 2 : 1;
      if (i >= in.size()) return false;
      ++i;
      out += 'Q';
    } else if (c == '(') {
      int depth = 0;
      do {
        if (in[i] == '\\') {
          i += 2;
          continue;
        }
        if (in[i] == '(' && ++depth > kMaxCommentDepth) return false;
        if (in[i] == ')') --depth;
        ++i;
      } while (i < in.size() && depth > 0);
      if (depth > 0) return false;
      out += ' ';
    } else if (c == '[') {
      const std::size_t close = in.find(']', i);
      if (close == std::string_view::npos) return false;
      out.append(in.substr(i, close - i + 1));
      i = close + 1;
    } else if (c == ')' || c == ']') {
      return false;
    } else {
      out += (c == '\r' || c == '\n') ? ' ' : c;
      ++i;
    }
  }
  return true;
}

// Drops WSP next to "." and "@" and at both ends; false when WSP is left inside (two words
// where one addr-spec belongs, e.g. "John Doe john@example.org" without angle brackets).
bool compact_addr_spec(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (!wsp(in[i])) {
      out += in[i];
      continue;
    }
    std::size_t j = i;
    while (j < in.size() && wsp(in[j])) ++j;
    const bool edge = out.empty() || j == in.size();
    const bool next_to_sep = edge || out.back() == '.' || out.back() == '@' || in[j] == '.' ||
                             in[j] == '@';
    if (!next_to_sep) return false;
    i = j - 1;
  }
  return true;
}

// One mailbox: name-addr or addr-spec. Returns the status and fills `domain`.
FromStatus mailbox_domain(std::string_view item, std::string& domain) {
  std::string_view spec = item;
  const std::size_t open = item.find('<');
  if (open != std::string_view::npos) {
    const std::size_t close = item.find('>', open);
    if (close == std::string_view::npos) return FromStatus::syntax;
    if (!text::trim_wsp(item.substr(close + 1)).empty()) return FromStatus::syntax;
    spec = item.substr(open + 1, close - open - 1);
    // obs-route: "<@relay.example,@other.example:user@example.org>"
    if (const std::string_view t = text::trim_wsp(spec); !t.empty() && t.front() == '@') {
      const std::size_t colon = spec.find(':');
      if (colon == std::string_view::npos) return FromStatus::syntax;
      spec = spec.substr(colon + 1);
    }
  }
  std::string compact;
  if (!compact_addr_spec(spec, compact)) return FromStatus::syntax;
  const std::size_t at = compact.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == compact.size()) return FromStatus::syntax;
  for (char c : std::string_view(compact).substr(0, at)) {
    if (c == '<' || c == '>' || c == ',' || c == ';' || c == ':' || c == '[' || c == ']') {
      return FromStatus::syntax;
    }
  }
  domain = dns_domain(std::string_view(compact).substr(at + 1));
  return domain.empty() ? FromStatus::not_a_domain : FromStatus::ok;
}

}  // namespace

const char* to_string(FromStatus s) {
  switch (s) {
    case FromStatus::ok: return "ok";
    case FromStatus::no_from_field: return "no From field";
    case FromStatus::multiple_from_fields: return "multiple From fields";
    case FromStatus::multiple_addresses: return "multiple addresses in From";
    case FromStatus::no_address: return "no address in From";
    case FromStatus::syntax: return "From syntax error";
    case FromStatus::not_a_domain: return "From domain is not a DNS name";
    case FromStatus::too_long: return "From field too long";
  }
  return "unknown";
}

std::string dns_domain(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return {};
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return {};
      label = 0;
      continue;
    }
    if (!text::alpha(c) && !text::digit(c) && c != '-' && c != '_') return {};
    if (++label > 63) return {};
  }
  if (label == 0) return {};
  return text::to_lower(name);
}

FromDomain parse_from_value(std::string_view value) {
  if (value.size() > kMaxFromBytes) return {FromStatus::too_long, {}};
  std::string sk;
  if (!skeleton(value, sk)) return {FromStatus::syntax, {}};

  // Step 2: top-level list items. "," separates mailboxes, "display-name:" opens a group and
  // ";" closes it; inside "<...>" and "[...]" these characters are not structure.
  std::vector<std::string_view> items;
  const std::string_view s = sk;
  std::size_t start = 0;
  bool in_angle = false, in_literal = false, in_group = false;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    const char c = i < s.size() ? s[i] : ',';
    if (in_literal) {
      in_literal = c != ']';
      continue;
    }
    if (c == '[') {
      in_literal = true;
    } else if (c == '<') {
      if (in_angle) return {FromStatus::syntax, {}};
      in_angle = true;
    } else if (c == '>') {
      if (!in_angle) return {FromStatus::syntax, {}};
      in_angle = false;
    } else if (in_angle) {
      continue;
    } else if (c == ':') {
      if (in_group) return {FromStatus::syntax, {}};
      in_group = true;  // the display name before it is not an address
      start = i + 1;
    } else if (c == ',' || c == ';') {
      if (c == ';') {
        if (!in_group) return {FromStatus::syntax, {}};
        in_group = false;
      }
      const std::string_view item = text::trim_wsp(s.substr(start, i - start));
      if (!item.empty()) items.push_back(item);
      start = i + 1;
      if (items.size() > 1) return {FromStatus::multiple_addresses, {}};
    }
  }
  if (in_angle || in_group) return {FromStatus::syntax, {}};
  if (items.empty()) return {FromStatus::no_address, {}};
  FromDomain out;
  out.status = mailbox_domain(items.front(), out.domain);
  if (!out.ok()) out.domain.clear();
  return out;
}

FromDomain extract_from_domain(std::string_view header_block) {
  std::string_view value;
  int count = 0;
  for (const mime::Field& f : mime::parse_fields(header_block)) {
    if (!mime::iequals(f.name, "From")) continue;
    if (++count > 1) return {FromStatus::multiple_from_fields, {}};
    value = f.raw_value;
  }
  if (count == 0) return {FromStatus::no_from_field, {}};
  if (value.size() > kMaxFromBytes * 2) return {FromStatus::too_long, {}};
  return parse_from_value(mime::unfold(value));
}

}  // namespace postern::mailauth::dmarc
