#include "tests/unit/common/smtp/client/smtp_fixture.h"

#include <boost/json.hpp>
#include <cstdlib>
#include <stdexcept>

namespace postern::testing {

TestCertificate::TestCertificate() {
  cert_ = dir_.path() + "/cert.pem";
  key_ = dir_.path() + "/key.pem";
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 2"
                          " -keyout " + key_ + " -out " + cert_ + " 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed");
}

SmtpFixture::SmtpFixture(SmtpFixtureOptions o, const TestCertificate* cert) {
  std::vector<std::string> argv{"/usr/bin/python3", source_path("tests/support"), "smtp-sink"};
  if ((o.starttls || o.implicit_tls) && cert != nullptr) {
    argv.insert(argv.end(), {"--cert", cert->cert(), "--key", cert->key()});
    if (o.implicit_tls) argv.push_back("--implicit-tls");
  }
  if (o.require_starttls) argv.push_back("--require-starttls");
  if (!o.auth.empty()) argv.insert(argv.end(), {"--auth", o.auth});
  if (o.require_auth) argv.push_back("--require-auth");
  if (o.auth_login_only) argv.push_back("--auth-login-only");
  if (!o.pipelining) argv.push_back("--no-pipelining");
  if (!o.ehlo) argv.push_back("--no-ehlo");
  process_ = std::make_unique<ChildProcess>(argv);
  port_ = process_->await_port();
}

std::optional<ReceivedMessage> SmtpFixture::next_message(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto line = process_->read_line(left);
    if (!line) return std::nullopt;
    if (line->rfind("MESSAGE ", 0) != 0) continue;
    const auto obj = boost::json::parse(line->substr(8)).as_object();
    ReceivedMessage m;
    m.mail_from = obj.at("mail_from").as_string().c_str();
    for (const auto& r : obj.at("rcpt_tos").as_array()) m.rcpt_tos.emplace_back(r.as_string().c_str());
    for (const auto& r : obj.at("mail_options").as_array())
      m.mail_options.emplace_back(r.as_string().c_str());
    // The fixture decodes the bytes as latin-1: map code points back to bytes.
    const auto& data = obj.at("data").as_string();
    std::string utf8(data.data(), data.size());
    for (std::size_t i = 0; i < utf8.size(); ++i) {
      const auto c = static_cast<unsigned char>(utf8[i]);
      if (c < 0x80) m.data += static_cast<char>(c);
      else if (i + 1 < utf8.size()) {
        m.data += static_cast<char>(((c & 0x1f) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3f));
        ++i;
      }
    }
    m.tls = obj.at("tls").as_bool();
    if (obj.at("auth").is_string()) m.auth = obj.at("auth").as_string().c_str();
    m.peer_port = static_cast<int>(obj.at("peer_port").as_int64());
    return m;
  }
}

}  // namespace postern::testing
