#include "common/mime/headers.h"

namespace postern::mime {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool wsp(char c) { return c == ' ' || c == '\t'; }

// Length of the line starting at `pos` including its line end (CRLF or LF); the rest of the
// input when there is no line end.
std::size_t line_length(std::string_view s, std::size_t pos) {
  const std::size_t lf = s.find('\n', pos);
  return lf == std::string_view::npos ? s.size() - pos : lf - pos + 1;
}

// The line without its line end.
std::string_view strip_eol(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// RFC 5322 3.6.8: ftext is printable US-ASCII except colon.
bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return false;
  }
  return true;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

HeaderSplit split_header_block(std::string_view message) {
  std::size_t pos = 0;
  while (pos < message.size()) {
    const std::size_t len = line_length(message, pos);
    if (strip_eol(message.substr(pos, len)).empty() && message[pos + len - 1] == '\n') {
      return HeaderSplit{message.substr(0, pos), message.substr(pos + len), true};
    }
    pos += len;
  }
  return HeaderSplit{message, std::string_view(), false};
}

std::vector<Field> parse_fields(std::string_view block) {
  std::vector<Field> fields;
  std::size_t pos = 0;
  bool in_field = false;  // the previous line started or continued a field we kept
  while (pos < block.size()) {
    const std::size_t len = line_length(block, pos);
    const std::string_view line = block.substr(pos, len);
    if (wsp(line.front())) {
      if (in_field) {
        Field& f = fields.back();
        const std::size_t start = static_cast<std::size_t>(f.raw.data() - block.data());
        f.raw = block.substr(start, pos + len - start);
        const std::size_t vstart = static_cast<std::size_t>(f.raw_value.data() - block.data());
        f.raw_value = strip_eol(block.substr(vstart, pos + len - vstart));
      }
    } else {
      const std::size_t colon = line.find(':');
      const std::string_view name =
          colon == std::string_view::npos ? std::string_view() : line.substr(0, colon);
      // Tolerate "Name :" (obsolete syntax, RFC 5322 4.5.8) by trimming WSP before the colon.
      std::string_view trimmed = name;
      while (!trimmed.empty() && wsp(trimmed.back())) trimmed.remove_suffix(1);
      in_field = valid_name(trimmed);
      if (in_field) {
        fields.push_back(Field{trimmed, strip_eol(line.substr(colon + 1)), line});
      }
    }
    pos += len;
  }
  return fields;
}

std::string unfold(std::string_view raw_value) {
  std::string out;
  out.reserve(raw_value.size());
  for (char c : raw_value) {
    if (c == '\r' || c == '\n') continue;
    out += c;
  }
  std::size_t b = 0;
  while (b < out.size() && wsp(out[b])) ++b;
  std::size_t e = out.size();
  while (e > b && wsp(out[e - 1])) --e;
  return out.substr(b, e - b);
}

std::optional<std::string> find_field(std::string_view header_block, std::string_view name) {
  for (const Field& f : parse_fields(header_block)) {
    if (iequals(f.name, name)) return unfold(f.raw_value);
  }
  return std::nullopt;
}

}  // namespace postern::mime
