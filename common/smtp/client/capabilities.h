// EHLO capabilities (RFC 5321 4.1.1.1): pure parsing of the EHLO reply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/smtp/reply.h"

namespace postern::smtp::client {

struct Capabilities {
  bool esmtp = false;  // false after a HELO fallback: no extension may be used
  bool pipelining = false;           // RFC 2920
  bool starttls = false;             // RFC 3207
  bool eight_bit_mime = false;       // RFC 6152
  bool smtputf8 = false;             // RFC 6531
  bool enhanced_status_codes = false;// RFC 2034
  bool chunking = false;             // RFC 3030
  bool size = false;                 // RFC 1870
  uint64_t max_size = 0;             // SIZE n; 0 = no limit announced
  std::vector<std::string> auth;     // RFC 4954 mechanisms, upper-case
  bool has_auth(const std::string& mechanism) const;
};

// Keywords are case-insensitive; the first line (the server's greeting name) is skipped.
// Also understands the pre-standard "AUTH=LOGIN PLAIN" form. Unknown keywords are ignored.
Capabilities parse_ehlo(const Reply& ehlo_reply);

}  // namespace postern::smtp::client
