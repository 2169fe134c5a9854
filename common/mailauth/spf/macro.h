// SPF macros (RFC 7208 7): a pure parser and expander for macro-strings and domain-specs.
//
// Contract: pure functions over bytes: no DNS, no clock (the caller supplies %{p} and %{t}),
// no exceptions for any input. Output is capped (kMaxExpansion); a string that cannot be
// expanded within the cap is reported like a syntax error (nullopt), never truncated silently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/mailauth/spf/address.h"

namespace postern::spf {

// Where a macro-string appears decides what it may contain (RFC 7208 7.1):
//   domain        domain-specs of mechanisms, redirect= and exp=: letters s l o d i p h v;
//   explanation   the TXT text fetched for exp=: also c r t, and spaces between macro-strings;
//   modifier      the value of an unknown modifier: syntax only (never expanded), any letter.
enum class MacroMode { domain, explanation, modifier };

inline constexpr std::size_t kMaxExpansion = 8192;

// The facts macros expand to. Views must outlive the call.
struct MacroContext {
  std::string_view sender;          // s: <sender> (local-part@domain)
  std::string_view local_part;      // l: "postmaster" when <sender> has none
  std::string_view sender_domain;   // o
  std::string_view domain;          // d: the current <domain>
  Ip ip;                            // i, c, v (normalised)
  std::string_view validated_name;  // p: validated name of <ip>, or "unknown"
  std::string_view helo;            // h
  std::string_view receiver;        // r: this host's name, or "unknown"
  int64_t timestamp = 0;            // t: seconds since the epoch
};

// True when `text` is a valid macro-string in `mode`.
bool is_valid_macro_string(std::string_view text, MacroMode mode);

// RFC 7208 7.1: domain-spec = macro-string domain-end, where domain-end is "." toplabel ["."]
// or a macro-expand. "a:museum", "a:111.2.3.4", "a:example.-com", "" are not domain-specs.
bool is_valid_domain_spec(std::string_view text);

// True when `text` (valid in `mode`) contains a %{p}/%{P} macro: the caller must look up the
// validated name first (it costs DNS queries, so it is done only when needed).
bool uses_validated_name(std::string_view text, MacroMode mode);

// The expansion of `text`, or nullopt when it is not valid in `mode` or exceeds kMaxExpansion.
std::optional<std::string> expand(std::string_view text, const MacroContext& context,
                                  MacroMode mode);

}  // namespace postern::spf
