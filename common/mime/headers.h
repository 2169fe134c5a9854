// RFC 5322 header helpers: split a message into its header block and body, iterate header
// fields, unfold a field body, find a field by name.
//
// Contract: pure functions over bytes (no I/O, no allocation beyond the returned values, no
// exceptions). Input is untrusted and may be malformed: a line without a colon, bare LF line
// ends, a header block without the blank line, NUL bytes. Every function is total: malformed
// input yields a best-effort answer and never reads out of bounds. Both CRLF and bare LF are
// accepted as line ends because stored messages are CRLF but tests and tools often are not.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mime {

struct HeaderSplit {
  // The header fields including the line end of the last one, without the empty line.
  std::string_view headers;
  // Everything after the empty line ("" when there is none).
  std::string_view body;
  // False when no empty line was found: the whole input was taken as headers.
  bool has_separator = false;
};

// Splits at the first empty line (CRLF CRLF, LF LF, or an empty first line).
HeaderSplit split_header_block(std::string_view message);

struct Field {
  std::string_view name;       // as written (compare case-insensitively)
  std::string_view raw_value;  // after the colon, folding and line ends kept, final line end cut
  std::string_view raw;        // the whole field including its final line end
};

// The fields of a header block in order. A line that is neither a field ("name:") nor a
// continuation (starts with SP/HTAB) is skipped: it is not a header, whatever a sender meant.
// A continuation before the first field is skipped as well.
std::vector<Field> parse_fields(std::string_view header_block);

// RFC 5322 2.2.3: removes each line end that is followed by WSP, then trims leading and
// trailing WSP. Bare CR or LF not followed by WSP are dropped too (they cannot be part of a
// field body), so the result never contains CR or LF.
std::string unfold(std::string_view raw_value);

// The first field called `name` (ASCII case-insensitive), unfolded; nullopt when absent.
std::optional<std::string> find_field(std::string_view header_block, std::string_view name);

// ASCII case-insensitive equality (field names, domains).
bool iequals(std::string_view a, std::string_view b);

}  // namespace postern::mime
