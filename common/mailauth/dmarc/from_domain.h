// The RFC 5322.From domain that DMARC evaluates (RFC 7489 3.1, 6.6.1): a pure, capped
// extractor over a message's header block.
//
// SECURITY: the header block is untrusted sender bytes. Nothing is read outside the input;
// the From value is looked at only up to kMaxFromBytes (unfolded), comments nest at most
// kMaxCommentDepth deep; no exceptions.
//
// Contract: DMARC applies only when the header block has exactly one From field holding
// exactly one mailbox whose domain is a DNS name. Everything else is a FromStatus other than
// ok, and dmarc_result_for() says what DMARC reports for it. Recognised syntax: display names
// (atoms and quoted strings), comments anywhere, angle addresses with an obsolete source route,
// bare addr-specs, groups ("Team: a@x.example;"), obsolete empty list elements, and WSP around
// "." and "@" (obs-local-part, obs-domain).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace postern::mailauth::dmarc {

inline constexpr std::size_t kMaxFromBytes = 4096;
inline constexpr int kMaxCommentDepth = 16;

enum class FromStatus {
  ok,
  no_from_field,         // RFC 5322 requires one: permerror
  multiple_from_fields,  // permerror
  multiple_addresses,    // one From with a mailbox-list of several: permerror
  no_address,            // an empty group ("undisclosed-recipients:;"): none, nothing to check
  syntax,                // unterminated quote/comment/literal, no "@", junk: permerror
  not_a_domain,          // domain literal or a name that is not a DNS name: none
  too_long,              // over kMaxFromBytes: permerror
};
const char* to_string(FromStatus);

struct FromDomain {
  FromStatus status = FromStatus::ok;
  std::string domain;  // lower-case, no trailing dot; set when status == ok
  bool ok() const { return status == FromStatus::ok; }
};

// Finds the From field(s) in `header_block` (see common/mime/headers.h) and extracts the domain.
FromDomain extract_from_domain(std::string_view header_block);

// The same over one From field value (after the colon; folded or unfolded).
FromDomain parse_from_value(std::string_view value);

// A DNS name as DMARC can look it up: 1..253 octets, labels of 1..63 letters, digits, "-" or
// "_" (ASCII only: an internationalised From domain must arrive as A-labels). Returns the
// lower-case form without a trailing dot, or "" when invalid.
std::string dns_domain(std::string_view name);

}  // namespace postern::mailauth::dmarc
