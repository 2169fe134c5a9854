#include "edge/received.h"

#include <ctime>

namespace postern::edge {

std::string rfc5322_date(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return std::string(buf, n);
}

std::string received_header(const ReceivedFacts& f) {
  // RFC 3848: ESMTP + S (TLS) + A (authenticated).
  std::string proto = f.esmtp ? "ESMTP" : "SMTP";
  if (f.esmtp) {
    if (f.tls) proto += 'S';
    if (f.authenticated) proto += 'A';
  } else if (f.tls) {
    proto += 'S';
  }
  std::string h = "Received: from " + f.helo + " ([" + f.client_ip + "])\r\n";
  if (f.tls && !f.tls_description.empty()) h += "\t(" + f.tls_description + ")\r\n";
  h += "\tby " + f.hostname + " (Postern) with " + proto + " id " + f.id;
  if (f.recipients.size() == 1) h += "\r\n\tfor <" + f.recipients.front() + ">";
  h += ";\r\n\t" + rfc5322_date(f.when) + "\r\n";
  return h;
}

}  // namespace postern::edge
