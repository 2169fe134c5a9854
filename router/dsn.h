// Delivery status notifications (bounces): RFC 3464 message/delivery-status inside an
// RFC 6522 multipart/report, with the original's header block as text/rfc822-headers.
//
// Contract: pure (the times, ids and host name come in; nothing is read from clocks or the
// environment); deterministic for equal input, so tests compare output exactly. Inputs from
// the outside world (remote replies, original headers) are untrusted: reply text is reduced to
// printable US-ASCII in the report fields, addresses never contain CR/LF (the intake checks),
// and the original headers are copied as a block, capped, with line ends made CRLF.
// The caller decides WHETHER to bounce: never for the null sender (RFC 5321 4.5.5), which
// also means never for a bounce.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace postern::router {

struct DsnRecipient {
  std::string address;         // the failed recipient (Final-Recipient)
  std::string status;          // RFC 3463 "5.1.1" / "4.4.7" (Status)
  std::string diagnostic;      // reply "550 5.1.1 text", or a local reason; "" none
  std::string remote_mta;      // host name of the MTA that answered; "" when none did
  std::chrono::system_clock::time_point last_attempt{};  // epoch: never attempted
};

struct DsnInput {
  std::string reporting_mta;    // internet.hostname (Reporting-MTA, From, Message-ID)
  std::string dsn_id;           // the DSN's own queue id: Message-ID and MIME boundary
  std::string original_queue_id;
  std::string original_sender;  // envelope sender of the original: the DSN goes To it
  std::string original_envid;   // RFC 3461 ENVID, "" none
  std::chrono::system_clock::time_point arrival;  // when the original was queued
  std::chrono::system_clock::time_point now;      // Date
  std::string_view original_headers;              // the original's header block
  std::vector<DsnRecipient> recipients;           // at least one
};

struct Dsn {
  std::string message;  // RFC 5322 bytes, CRLF line ends
  bool eight_bit = false;  // the copied headers or addresses contain non-ASCII octets
  bool smtputf8 = false;   // a recipient address is non-ASCII (RFC 6533 utf-8 type used)
};

// Headers copied into the text/rfc822-headers part at most (cut at a line boundary).
inline constexpr std::size_t kDsnMaxCopiedHeaderBytes = 64 * 1024;

Dsn build_dsn(const DsnInput& input);

// RFC 5322 3.3 date-time in UTC: "Fri, 29 Nov 2024 13:54:07 +0000".
std::string rfc5322_date(std::chrono::system_clock::time_point t);

}  // namespace postern::router
