// DKIM tag lists (RFC 6376 3.2): the syntax shared by DKIM-Signature field values and key
// records, "name=value" pairs separated by ";" with folding white space allowed around names,
// "=" and values.
//
// SECURITY: input is untrusted (a header field from anyone, a TXT record from any DNS zone).
// Pure function: no I/O, no exceptions; capped at kMaxTagListBytes and kMaxTags.
//
// Grammar enforced (RFC 6376 3.2, with the FWS of RFC 5322 3.2.2):
//   tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
//   tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//   tag-name  = ALPHA *( ALPHA / DIGIT / "_" )
//   tag-value = [ tval *( 1*(WSP / FWS) tval ) ]      tval = 1*VALCHAR
//   VALCHAR   = %x21-3A / %x3C-7E, plus octets >= 0x80 (RFC 8616 UTF-8 identities)
// A line end inside the list must be CRLF (or a bare LF) followed by WSP, i.e. folding.
// Tag names are case-sensitive; a duplicated name makes the whole list invalid (3.2).
// A trailing ";" may be followed by FWS only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::mailauth::dkim {

struct Tag {
  std::string_view name;
  // Views into the parsed text: leading/trailing FWS removed, interior FWS kept as written
  // (base64 values may be folded: strip_fws before decoding).
  std::string_view value;
};

struct TagList {
  std::vector<Tag> tags;  // in the order written
  std::string error;      // empty on success; a reason for logs and Authentication-Results

  bool ok() const { return error.empty(); }
  // The tag called `name` (exact, case-sensitive), or nullptr.
  const Tag* find(std::string_view name) const;
};

TagList parse_tag_list(std::string_view text);

// `value` with every SP, HTAB, CR and LF removed (base64 tags, RFC 6376 3.5 b=/bh=, 3.6.1 p=).
std::string strip_fws(std::string_view value);

// Splits on `separator` and trims FWS around each element; empty elements are kept so callers
// can reject them ("a::b"). Used for h= (":") and key record lists.
std::vector<std::string_view> split_list(std::string_view value, char separator);

}  // namespace postern::mailauth::dkim
