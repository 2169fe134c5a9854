// The Received-SPF header field (RFC 7208 9.1) for a verdict: pure text formatting.
//
// Contract: the output is a syntactically valid field whatever the input (HELO names and
// envelope senders are untrusted): values that are not dot-atoms become quoted-strings,
// comment text has "(", ")" and "\" escaped, and octets outside printable ASCII are replaced
// by "?", so no CR/LF can be injected into the message header.
#pragma once

#include <string>

#include "common/mailauth/spf/check_host.h"

namespace postern::spf {

struct ReceivedSpfContext {
  std::string receiver;   // our host name (internet.hostname)
  std::string client_ip;  // textual client address
  std::string helo;       // HELO/EHLO argument as sent
  std::string envelope_from;  // MAIL FROM address as sent ("" for the null sender)
};

// The field body after "Received-SPF:", unfolded, without CRLF, e.g.
// "pass (mx.example.org: domain of a@example.com designates 192.0.2.1 as permitted sender)
//  receiver=mx.example.org; client-ip=192.0.2.1; envelope-from=a@example.com;
//  helo=mail.example.com; identity=mailfrom; mechanism=ip4:192.0.2.0/24" (one line).
std::string received_spf_value(const Verdict& verdict, const ReceivedSpfContext& context);

// The whole field, "Received-SPF: <value>\r\n", folded before key-value pairs so that lines
// stay under 78 octets where possible (RFC 5322 2.1.1).
std::string received_spf_field(const Verdict& verdict, const ReceivedSpfContext& context);

}  // namespace postern::spf
