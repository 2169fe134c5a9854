#include "router/dsn.h"

#include <ctime>

namespace postern::router {
namespace {

bool ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Printable US-ASCII only, at most 900 octets (a line stays under RFC 5322's 998): report
// fields are 7-bit structured text and remote replies can be anything.
std::string printable(std::string_view s) {
  std::string out;
  if (s.size() > 900) s = s.substr(0, 900);
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : (c == '\n' || c == '\t' ? ' ' : '?');
  }
  return out;
}

// RFC 3464 2.1.2/RFC 6533: "rfc822; addr" for ASCII, "utf-8; addr" otherwise.
std::string address_field(std::string_view address) {
  return (ascii(address) ? "rfc822; " : "utf-8; ") + std::string(address);
}

// The header block with every line end made CRLF, cut at the last whole line before `cap`.
std::string copy_headers(std::string_view headers, std::size_t cap) {
  std::string out;
  std::size_t pos = 0;
  while (pos < headers.size()) {
    std::size_t lf = headers.find('\n', pos);
    const std::size_t end = lf == std::string_view::npos ? headers.size() : lf;
    std::string_view line = headers.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (out.size() + line.size() + 2 > cap) break;
    // A bare CR inside a line would end it for some readers; drop it.
    for (char c : line) {
      if (c != '\r') out += c;
    }
    out += "\r\n";
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::string rfc5322_date(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return std::string(buf, n);
}

Dsn build_dsn(const DsnInput& in) {
  Dsn dsn;
  const std::string headers = copy_headers(in.original_headers, kDsnMaxCopiedHeaderBytes);
  // The boundary must not occur in the copied headers (which an attacker controls and the id
  // is predictable): lengthen it until it does not.
  std::string boundary = in.dsn_id + "/report";
  while (headers.find("--" + boundary) != std::string::npos) boundary += "=";
  const std::string crlf = "\r\n";
  std::string& m = dsn.message;

  m += "From: Mail Delivery System <MAILER-DAEMON@" + in.reporting_mta + ">" + crlf;
  m += "To: <" + in.original_sender + ">" + crlf;
  m += "Subject: Undelivered Mail Returned to Sender" + crlf;
  m += "Date: " + rfc5322_date(in.now) + crlf;
  m += "Message-ID: <" + in.dsn_id + "@" + in.reporting_mta + ">" + crlf;
  m += "Auto-Submitted: auto-replied" + crlf;
  m += "MIME-Version: 1.0" + crlf;
  m += "Content-Type: multipart/report; report-type=delivery-status;" + crlf;
  m += "\tboundary=\"" + boundary + "\"" + crlf;
  m += crlf;
  m += "This is a MIME-encapsulated message." + crlf + crlf;

  // 1. Human-readable explanation.
  m += "--" + boundary + crlf;
  m += "Content-Description: Notification" + crlf;
  m += "Content-Type: text/plain; charset=utf-8" + crlf + crlf;
  m += "This is the mail system at host " + in.reporting_mta + "." + crlf + crlf;
  m += "Your message could not be delivered to one or more recipients." + crlf;
  m += "It is attached below (headers only)." + crlf + crlf;
  for (const DsnRecipient& r : in.recipients) {
    m += "<" + r.address + ">: " + printable(r.diagnostic.empty() ? r.status : r.diagnostic);
    if (!r.remote_mta.empty()) m += " (from " + printable(r.remote_mta) + ")";
    m += crlf;
  }
  m += crlf;

  // 2. Machine-readable report (RFC 3464 2.2 per-message, 2.3 per-recipient fields).
  m += "--" + boundary + crlf;
  m += "Content-Description: Delivery report" + crlf;
  m += "Content-Type: message/delivery-status" + crlf + crlf;
  m += "Reporting-MTA: dns; " + in.reporting_mta + crlf;
  m += "X-Postern-Queue-ID: " + in.original_queue_id + crlf;
  if (!in.original_envid.empty()) m += "Original-Envelope-Id: " + printable(in.original_envid) + crlf;
  m += "Arrival-Date: " + rfc5322_date(in.arrival) + crlf;
  for (const DsnRecipient& r : in.recipients) {
    m += crlf;
    m += "Final-Recipient: " + address_field(r.address) + crlf;
    m += "Action: failed" + crlf;
    m += "Status: " + printable(r.status) + crlf;
    if (!r.remote_mta.empty()) m += "Remote-MTA: dns; " + printable(r.remote_mta) + crlf;
    if (!r.diagnostic.empty()) {
      // "smtp" when a remote MTA said it; otherwise a reason of our own (RFC 3464 2.3.6
      // allows an X- diagnostic type).
      m += "Diagnostic-Code: " + std::string(r.remote_mta.empty() ? "X-Postern; " : "smtp; ") +
           printable(r.diagnostic) + crlf;
    }
    if (r.last_attempt != std::chrono::system_clock::time_point{}) {
      m += "Last-Attempt-Date: " + rfc5322_date(r.last_attempt) + crlf;
    }
    dsn.smtputf8 = dsn.smtputf8 || !ascii(r.address);
  }
  m += crlf;

  // 3. The original's headers.
  m += "--" + boundary + crlf;
  m += "Content-Description: Undelivered Message Headers" + crlf;
  m += "Content-Type: text/rfc822-headers" + crlf;
  if (!ascii(headers)) m += "Content-Transfer-Encoding: 8bit" + crlf;
  m += crlf;
  m += headers;
  m += crlf;
  m += "--" + boundary + "--" + crlf;

  dsn.smtputf8 = dsn.smtputf8 || !ascii(in.original_sender);
  dsn.eight_bit = !ascii(m);
  return dsn;
}

}  // namespace postern::router
