// One SMTP reply: code, RFC 3463 enhanced status, text, and whether the server closes after it.
//
// Contract: a Reply is always well formed. The basic code is 2xx..5xx; the enhanced status,
// when present, has the same class digit as the code (2.x.x with 2xx, 4.x.x with 4xx, 5.x.x
// with 5xx); text never contains CR or LF (multi-line replies are a vector of lines).
// Construction with anything else falls back to 451 4.3.0 (like Postfix's reply checking), so
// a programming error can never emit a malformed or a falsely positive reply.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace postern::smtp {

struct EnhancedStatus {
  uint8_t cls = 0;       // 2, 4 or 5; 0 = absent
  uint16_t subject = 0;
  uint16_t detail = 0;
  bool present() const { return cls != 0; }
  std::string to_string() const;  // "5.1.1"; "" when absent
  bool operator==(const EnhancedStatus&) const = default;
};

class Reply {
 public:
  Reply() = default;  // 250 2.0.0 OK
  Reply(int code, EnhancedStatus status, std::string text, bool disconnect = false);
  Reply(int code, EnhancedStatus status, std::vector<std::string> lines, bool disconnect = false);
  // Without an enhanced status (greeting, replies of peers that do not send one).
  static Reply plain(int code, std::string text, bool disconnect = false);

  int code() const { return code_; }
  const EnhancedStatus& status() const { return status_; }
  const std::vector<std::string>& lines() const { return lines_; }
  std::string text() const;  // lines joined with "\n"
  bool disconnect() const { return disconnect_; }

  bool positive() const { return code_ >= 200 && code_ < 400; }
  bool transient() const { return code_ >= 400 && code_ < 500; }
  bool permanent() const { return code_ >= 500; }

  // Wire form: "250-first\r\n250 2.0.0 last\r\n". The enhanced status is written on every line.
  std::string wire() const;
  // "550 5.1.1 text" on one line, for logs and DSNs.
  std::string to_string() const;

  bool operator==(const Reply&) const = default;

 private:
  int code_ = 250;
  EnhancedStatus status_{2, 0, 0};
  std::vector<std::string> lines_{"OK"};
  bool disconnect_ = false;
};

// Parses "5.1.1" at the start of text; returns absent status when it is not there.
EnhancedStatus parse_enhanced_status(std::string_view text, std::size_t* consumed = nullptr);

}  // namespace postern::smtp
