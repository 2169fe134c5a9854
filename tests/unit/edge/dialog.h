// Scripted SMTP dialogues against the pure Session:
//   Dialog d;  d.connect("220");  d.cmd("EHLO client.example", "250");
//   d.cmd("MAIL FROM:<a@b.example>", "250 2.1.0");
// Steps the session asks for are answered in-process: STARTTLS "succeeds", credentials are
// checked against a small table, submissions are recorded and answered with the configured
// router result. With settings.inbound set, the sender-authentication steps (issue 4) are
// answered with fake verdicts too:
//   start_spf            → the SpfStart is recorded (spf_starts), on_spf_started();
//   authenticate_message → the AuthRequest is recorded (auth_requests, auth_messages) and
//                          `verdicts` is fed to on_authenticated();
//   record_dmarc         → the records are kept (dmarc_recorded), on_dmarc_recorded().
// Expectations are prefixes of the replies rendered as "code status text",
// joined by " | " when a step has several.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "edge/session.h"

namespace postern::edge::testing {

inline SessionSettings default_settings() {
  SessionSettings s;
  s.hostname = "mx.example.org";
  s.local_domains = {"example.org", "example.net"};
  s.limits.max_message_bytes = 10000;
  s.limits.max_recipients = 3;
  s.limits.error_limit = 5;
  s.listener = "mx";
  s.tls = config::ListenerTls::starttls;
  s.auth = config::ListenerAuth::optional;
  return s;
}

class Dialog {
 public:
  explicit Dialog(SessionSettings settings = default_settings(),
                  std::string client_ip = "192.0.2.7")
      : session_(std::move(settings), std::move(client_ip), "S1X", [] {
          return std::chrono::system_clock::time_point(std::chrono::seconds(1720000000));
        }) {}

  Session& session() { return session_; }

  std::string connect(std::string tls = {}) { return run(session_.on_connect(std::move(tls))); }

  // One command line (CRLF added), following every step until input is needed again.
  std::string send(const std::string& line) {
    smtp::codec::LineReader reader;
    auto r = reader.feed(line + "\r\n");
    EXPECT_TRUE(r.event.has_value());
    return run(session_.on_line(*r.event));
  }
  void cmd(const std::string& line, const std::string& expected) {
    const std::string got = send(line);
    EXPECT_EQ(got.substr(0, expected.size()), expected) << "after: " << line << " got: " << got;
  }
  // Raw bytes of a message body (DATA content including the final ".\r\n", or a chunk).
  std::string body(const std::string& bytes) {
    std::string_view rest = bytes;
    while (true) {
      auto f = session_.on_body_bytes(rest);
      rest.remove_prefix(f.consumed);
      if (f.step) {
        leftover_ = std::string(rest);
        return run(*f.step);
      }
      if (rest.empty()) return "(needs more)";
    }
  }
  void body(const std::string& bytes, const std::string& expected) {
    const std::string got = body(bytes);
    EXPECT_EQ(got.substr(0, expected.size()), expected);
  }

  Next next() const { return next_; }
  const std::string& leftover() const { return leftover_; }
  std::vector<SubmitRequest> submissions;
  std::vector<Credentials> credentials_seen;
  SubmitResult router_result{true, "Q42", ""};
  std::map<std::string, std::string> users{{"alice@example.org", "s3cret"}};
  int tls_handshakes = 0;
  // Sender authentication (settings.inbound): what the adapter was asked and what it answers.
  inbound::Verdicts verdicts;
  std::vector<SpfStart> spf_starts;
  std::vector<AuthRequest> auth_requests;
  std::vector<std::string> auth_messages;  // copies of AuthRequest::message
  std::vector<std::vector<std::string>> dmarc_recorded;
  int spf_start_steps = 0;
  // Inbound controls: what the adapter would have looked up.
  policy::ClientLookup client_lookup;
  policy::SenderLookup sender_lookup;
  policy::GreylistAnswer greylist_answer{policy::GreylistAnswer::Kind::pass, 0, {}};
  std::vector<policy::SenderLookupPlan> sender_plans;
  std::vector<policy::GreylistTriplet> greylist_queries;

 private:
  std::string run(Step step) {
    std::string out;
    while (true) {
      for (const auto& r : step.replies) {
        if (!out.empty()) out += " | ";
        out += r.to_string();
      }
      next_ = step.next;
      switch (step.next) {
        case Next::start_tls:
          ++tls_handshakes;
          step = session_.on_tls_up("version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256");
          continue;
        case Next::verify_credentials: {
          Credentials c = session_.take_credentials();
          credentials_seen.push_back(c);
          auto it = users.find(c.username);
          std::optional<std::string> user;
          if (it != users.end() && it->second == c.password) user = c.username;
          step = session_.on_credentials_checked(user);
          continue;
        }
        case Next::start_spf:
          ++spf_start_steps;
          spf_starts.push_back(session_.take_spf_start());
          step = session_.on_spf_started();
          continue;
        case Next::authenticate_message:
          auth_requests.push_back(session_.auth_request());
          auth_messages.emplace_back(session_.auth_request().message);
          step = session_.on_authenticated(verdicts);
          continue;
        case Next::record_dmarc:
          dmarc_recorded.push_back(session_.take_dmarc_records());
          step = session_.on_dmarc_recorded();
          continue;
        case Next::check_client:
          step = session_.on_client_checked(client_lookup);
          continue;
        case Next::check_sender:
          sender_plans.push_back(session_.sender_lookup_plan());
          step = session_.on_sender_checked(sender_lookup);
          continue;
        case Next::check_greylist:
          greylist_queries.push_back(session_.greylist_triplet());
          step = session_.on_greylist_checked(greylist_answer);
          continue;
        case Next::submit:
          submissions.push_back(session_.take_submission());
          step = session_.on_submitted(router_result);
          continue;
        default:
          return out;
      }
    }
  }

  Session session_;
  Next next_ = Next::read_command;
  std::string leftover_;
};

}  // namespace postern::edge::testing
