// Client command lines (RFC 5321 4.1.1): pure encoders.
//
// Contract: a returned line is exactly one command ending in CRLF. Addresses containing
// control characters (CR, LF, NUL, ...) are refused with nullopt, so no envelope value can
// inject a second command.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::smtp::client {

struct MailParams {
  uint64_t size = 0;          // SIZE= (RFC 1870) when the server offers SIZE; 0 = omit
  bool eight_bit = false;     // BODY=8BITMIME (RFC 6152)
  bool smtputf8 = false;      // SMTPUTF8 (RFC 6531)
};

// "MAIL FROM:<sender> SIZE=n BODY=8BITMIME SMTPUTF8\r\n"; "" sender is the null path "<>".
std::optional<std::string> mail_from_line(std::string_view sender, const MailParams& params);
// "RCPT TO:<recipient>\r\n"; an empty recipient is refused.
std::optional<std::string> rcpt_to_line(std::string_view recipient);

}  // namespace postern::smtp::client
