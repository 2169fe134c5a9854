// The Received trace header the edge prepends at the end of DATA (RFC 5321 4.4,
// RFC 5322 3.6.7, protocol names per RFC 3848). Pure: the caller supplies the time.
//
//   Received: from <helo> ([<client ip>])
//           (<TLS details>)                       when TLS is up
//           by <hostname> (Postern) with <ESMTP|ESMTPS|ESMTPA|ESMTPSA|SMTP|SMTPS> id <id>
//           for <<rcpt>>;                           only with exactly one recipient
//           <RFC 5322 date>
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace postern::edge {

struct ReceivedFacts {
  std::string helo;
  std::string client_ip;
  std::string hostname;
  bool esmtp = true;            // EHLO (false: HELO)
  bool tls = false;
  bool authenticated = false;
  std::string tls_description;  // tls::describe(); may be empty
  std::string id;
  std::vector<std::string> recipients;
  std::chrono::system_clock::time_point when;
};

// The whole header field, folded, ending in CRLF.
std::string received_header(const ReceivedFacts& facts);

// "Tue, 02 Jul 2024 09:05:00 +0000" (UTC).
std::string rfc5322_date(std::chrono::system_clock::time_point when);

}  // namespace postern::edge
