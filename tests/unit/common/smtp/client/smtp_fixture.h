// Test support: a receiving SMTP server on 127.0.0.1 for the C++ tests (the project's aiosmtpd
// sink, tests/support/sinks.py, run as `python3 tests/support smtp-sink`; its options and
// scripted refusals are in tests/support/fixture_cli.py) and a throwaway certificate.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/unit/common/dns/child_process.h"

namespace postern::testing {

// A self-signed certificate for CN=localhost made with `openssl req` in a temp dir.
class TestCertificate {
 public:
  TestCertificate();
  const std::string& cert() const { return cert_; }
  const std::string& key() const { return key_; }

 private:
  TempDir dir_;
  std::string cert_, key_;
};

struct SmtpFixtureOptions {
  bool starttls = false;      // needs a certificate
  bool implicit_tls = false;  // needs a certificate
  bool require_starttls = false;
  std::string auth;           // "user:pass"
  bool require_auth = false;
  bool auth_login_only = false;
  bool pipelining = true;
  bool ehlo = true;
};

struct ReceivedMessage {
  std::string mail_from;
  std::vector<std::string> rcpt_tos;
  std::vector<std::string> mail_options;
  std::string data;
  bool tls = false;
  std::string auth;  // login, "" when none
  int peer_port = 0;
};

class SmtpFixture {
 public:
  explicit SmtpFixture(SmtpFixtureOptions options = {}, const TestCertificate* cert = nullptr);
  uint16_t port() const { return port_; }
  // The next message the server accepted; nullopt when none arrives within `timeout`.
  std::optional<ReceivedMessage> next_message(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_ = 0;
};

}  // namespace postern::testing
