// Reply text for a DNSBL rejection, and sanitizing of list TXT records. Pure.
//
// Templates follow Domino's "DNS blacklist" message: each "%s" is replaced in order, the
// first by the client host (its address, or the verified name when the caller has one), the
// second by the zone; further "%s" are left out (replaced by nothing). "%%" is a literal "%";
// any other "%" is kept as is. Example:
//   "Rejected: %s is listed at %s"  ->  "Rejected: 192.0.2.1 is listed at zen.spamhaus.org"
//
// Contract: the result is one line of printable US-ASCII (0x20-0x7E): CR, LF, other control
// characters and non-ASCII bytes each become one space, runs of spaces collapse, the ends are
// trimmed, and the text is cut to kMaxReplyText octets (an SMTP reply line is at most 512
// octets with its code and enhanced status, RFC 5321 4.5.3.1.5).
//
// SECURITY: the TXT text is chosen by whoever runs the list (or spoofs its answers) and the
// client host by the client's DNS: neither may inject a line break or a second reply line
// into the SMTP dialogue, which sanitize() guarantees for everything it returns.
#pragma once

#include <string>
#include <string_view>

namespace postern::dnsbl {

inline constexpr std::size_t kMaxReplyText = 400;

// The default template: "%s is listed at %s".
inline constexpr std::string_view kDefaultReplyTemplate = "%s is listed at %s";

std::string format_reply(std::string_view templ, std::string_view client_host,
                         std::string_view zone);

// Any text made safe for an SMTP reply line or a log line (the rules above).
std::string sanitize(std::string_view text, std::size_t max_length = kMaxReplyText);

}  // namespace postern::dnsbl
