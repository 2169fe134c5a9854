// What DMARC needs from SPF and DKIM (RFC 7489 4.2): plain values, so this library does not
// depend on the SPF and DKIM verifiers. The edge fills them from their results.
#pragma once

#include <string>

namespace postern::mailauth::dmarc {

// RFC 7208 2.6 results.
enum class SpfResult { none, neutral, pass, fail, softfail, temperror, permerror };
const char* to_string(SpfResult);

// RFC 8601 2.7.1 DKIM results.
enum class DkimResult { none, pass, fail, policy, neutral, temperror, permerror };
const char* to_string(DkimResult);

// The SPF check of the RFC5321.MailFrom identity (RFC 7489 4.1: when MAIL FROM was <>, the
// caller passes the HELO identity's result and domain instead).
struct SpfInput {
  SpfResult result = SpfResult::none;
  std::string domain;  // the domain SPF evaluated
};

// One DKIM signature's verification result.
struct DkimInput {
  DkimResult result = DkimResult::none;
  std::string domain;    // d=
  std::string selector;  // s= (for the evaluation record)
};

}  // namespace postern::mailauth::dmarc
