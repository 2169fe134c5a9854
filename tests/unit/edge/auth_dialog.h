// Scripted SMTP dialogues with sender authentication (issue 4): dialog.h's Dialog over
// settings with edge.inbound on (one local domain, the client 192.0.2.7).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dialog.h"
#include "edge/session.h"

namespace postern::edge::testing {

inline SessionSettings auth_settings() {
  SessionSettings s;
  s.hostname = "mx.example.org";
  s.local_domains = {"example.org"};
  s.limits.max_message_bytes = 10000;
  s.limits.max_recipients = 3;
  s.limits.error_limit = 5;
  s.listener = "mx";
  s.tls = config::ListenerTls::starttls;
  s.auth = config::ListenerAuth::optional;
  s.inbound = config::Inbound{};
  return s;
}

// A Dialog (dialog.h, which answers the sender-authentication steps) over auth_settings(),
// with a whole-transaction shortcut.
class AuthDialog : public Dialog {
 public:
  explicit AuthDialog(SessionSettings settings = auth_settings(),
                      std::string client_ip = "192.0.2.7")
      : Dialog(std::move(settings), std::move(client_ip)) {}

  // EHLO, MAIL, RCPT, DATA and the message; returns the reply to the end of DATA.
  std::string transaction(const std::string& message, const std::string& from = "a@sender.test") {
    cmd("EHLO client.sender.test", "250");
    cmd("MAIL FROM:<" + from + ">", "250 2.1.0");
    cmd("RCPT TO:<bob@example.org>", "250 2.1.5");
    cmd("DATA", "354");
    return body(message + ".\r\n");
  }
};

}  // namespace postern::edge::testing
