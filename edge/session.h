// One SMTP server session as a pure state machine (RFC 5321, 1869, 1870, 2920, 3030, 3207,
// 3463, 4954, 6152, 6531). No sockets, no clocks except the injected one, no threads.
//
// SECURITY: every input is untrusted client data. The session decides every reply; the I/O
// adapter (connection.h) only moves bytes and runs the slow or remote work the session asks
// for (TLS handshake, password check, router submit). Guarantees:
//   - 250 after DATA/BDAT only after on_submitted() reported the router's durable ack;
//   - no relaying for unauthenticated clients (relay.h);
//   - AUTH only under TLS; credentials leave the session only through take_credentials();
//   - after STARTTLS every piece of prior state is forgotten (RFC 3207 4.2) - the adapter
//     must also discard its buffered plaintext;
//   - the DATA/BDAT readers decide where a message ends (smuggling-safe, see codec/).
//
// Driving it: the adapter calls on_connect(), then for each event the matching on_*() and
// does what the returned Step says: write step.replies in order, then
//   read_command → read a line (codec::LineReader) and call on_line();
//   read_body    → give every following byte to on_body_bytes() until it returns a step;
//   start_tls    → discard buffered input, handshake, call on_tls_up() (close on failure);
//   verify_credentials → check take_credentials() off the I/O thread, on_credentials_checked();
//   submit       → Submitter::submit(take_submission()), then on_submitted();
//   start_spf    → start the SPF check(s) of take_spf_start() without waiting, then
//                  on_spf_started() (the verdicts are awaited at end of DATA);
//   authenticate_message → with auth_request(): await SPF, verify DKIM, evaluate DMARC, take
//                  the iprev result started at connect, then on_authenticated(verdicts);
//   record_dmarc → store take_dmarc_records() durably (Router/RecordDmarc) for a message
//                  refused in the dialogue, then on_dmarc_recorded();
//   check_client → before the greeting: look up what policy::client_lookup_plan() asks (PTR,
//                  DNSBL/DNSWL zones), note an early talker and the per-IP session limits,
//                  then on_client_checked() (which returns the greeting or a refusal);
//   check_sender → at MAIL FROM: sender_lookup_plan() (sender domain, rate counters), then
//                  on_sender_checked();
//   check_greylist → at RCPT TO: ask the routers about greylist_triplet(), then
//                  on_greylist_checked();
//   close        → close the connection.
//
// Sender authentication (edge/inbound/, issue 4) runs only when settings.inbound is set and
// the client is neither authenticated nor trusted (inbound/plan.h). Forged
// Authentication-Results fields carrying our host name are removed from every message.
//
// Inbound controls (edge/policy/, issue 5): the relay rule (policy/relay.h) applies to every
// recipient, with edge.inbound.relay when settings.inbound is set (defaults otherwise);
// recipient controls (policy/recipients.h) to local recipients when settings.directory is
// set. With settings.inbound set and a client outside trusted_networks (and not in
// connection.allow_hosts), the other controls run at their stage and their facts feed the
// reputation score (policy/score.h), evaluated at connect, MAIL, RCPT and end of DATA;
// refusals decided at connect other than connection controls are answered to MAIL FROM.
// Authenticated clients skip DNSBL, score, sender and greylist checks. Every verdict is
// described in take_policy_log() for the adapter to log.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config/config.h"
#include "common/smtp/codec/bdat_reader.h"
#include "common/smtp/codec/command.h"
#include "common/smtp/codec/data_reader.h"
#include "common/smtp/codec/line_reader.h"
#include "common/smtp/reply.h"
#include "edge/inbound/verdicts.h"
#include "edge/policy/client.h"
#include "edge/policy/facts.h"
#include "edge/policy/greylist.h"
#include "edge/policy/recipients.h"
#include "edge/policy/sender.h"
#include "edge/sasl.h"
#include "edge/submission.h"

namespace postern::edge {

// What a session needs from the configuration: one listener's view of it.
struct SessionSettings {
  std::string hostname;                    // internet.hostname
  std::vector<std::string> local_domains;  // internet.local_domains
  config::EdgeLimits limits;
  std::string listener;                    // listener name
  config::ListenerTls tls = config::ListenerTls::none;
  config::ListenerAuth auth = config::ListenerAuth::none;
  // edge.inbound; nullopt: no sender authentication (the default for hand-made settings).
  std::optional<config::Inbound> inbound;
  // The directory for recipient controls (edge.inbound.recipients); null: not checked.
  std::shared_ptr<const policy::RecipientDirectory> directory;

  static SessionSettings from(const config::Config& config, const config::Listener& listener);
};

enum class Next {
  read_command,
  read_body,
  start_tls,
  verify_credentials,
  submit,
  start_spf,
  authenticate_message,
  record_dmarc,
  check_client,
  check_sender,
  check_greylist,
  close
};

// SPF checks to start at MAIL FROM (RFC 7208 2.3, 2.4).
struct SpfStart {
  bool mail_from_identity = false;
  bool helo_identity = false;
  std::string mail_from;  // reverse-path without brackets, "" for <>
  std::string helo;       // HELO/EHLO argument
};

// What the adapter needs to authenticate a finished message. `message` is the content as
// received (forged fields already removed, without our Received), valid until
// on_authenticated().
struct AuthRequest {
  std::string_view message;
  std::string client_ip;
  std::string helo;
  std::string mail_from;
  inbound::Plan plan;
};

struct Step {
  std::vector<smtp::Reply> replies;  // to write, in order
  Next next = Next::read_command;
};

class Session {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // `session_id`: unique per connection (transaction ids derive from it).
  Session(SessionSettings settings, std::string client_ip, std::string session_id, Clock clock);

  // Greeting. `tls_description` non-empty: the listener is implicit TLS and it is up.
  Step on_connect(std::string tls_description = {});
  Step on_line(const smtp::codec::LineEvent& line);
  struct BodyFeed {
    std::size_t consumed = 0;
    std::optional<Step> step;  // set when the body (or BDAT chunk) ended
  };
  BodyFeed on_body_bytes(std::string_view bytes);
  Step on_tls_up(std::string tls_description);
  // `user`: the authenticated identity, nullopt when the credentials were refused.
  Step on_credentials_checked(std::optional<std::string> user);
  Step on_submitted(const SubmitResult& result);
  Step on_spf_started();
  Step on_authenticated(const inbound::Verdicts& verdicts);
  Step on_dmarc_recorded();
  Step on_client_checked(const policy::ClientLookup& lookup);
  Step on_sender_checked(const policy::SenderLookup& lookup);
  Step on_greylist_checked(const policy::GreylistAnswer& answer);
  Step on_timeout();
  Step on_shutdown();

  // Valid once, right after a step with next == verify_credentials / submit.
  Credentials take_credentials();
  SubmitRequest take_submission();
  SpfStart take_spf_start();
  std::vector<std::string> take_dmarc_records();
  // Valid from a step with next == authenticate_message until on_authenticated().
  const AuthRequest& auth_request() const { return auth_request_.value(); }
  // The last authentication decision in words (for the adapter's log); "" before any.
  const std::string& auth_summary() const { return auth_summary_; }

  // Inbound controls. Valid from a step with next == check_sender / check_greylist until the
  // matching on_*_checked().
  const policy::SenderLookupPlan& sender_lookup_plan() const { return sender_plan_; }
  const policy::GreylistTriplet& greylist_triplet() const { return greylist_triplet_; }
  // True once PIPELINING was offered (after EHLO). The adapter calls
  // note_pipelining_violation() when a client sends more commands before our reply without it.
  bool pipelining_allowed() const { return helo_ && helo_->extended; }
  void note_pipelining_violation();
  // True when the score, DNSBL and sender/greylist checks apply to this client.
  bool policy_active() const { return policy_on_; }
  const policy::Facts& session_facts() const { return facts_; }
  const policy::Facts& transaction_facts() const { return tx_facts_; }
  // Lines describing each policy verdict and its facts since the last call.
  std::vector<std::string> take_policy_log() { return std::exchange(policy_log_, {}); }
  // Introspection for the adapter (logging, drain decisions).
  bool in_transaction() const { return mail_.has_value(); }
  bool expects_auth_response() const { return auth_state_ != AuthState::none; }
  bool tls_active() const { return tls_active_; }
  const std::string& session_id() const { return session_id_; }
  const std::string& authenticated_user() const { return auth_user_; }
  uint32_t errors() const { return errors_; }

 private:
  enum class AuthState { none, plain, login_user, login_password };
  enum class BodyMode { none, data, bdat, bdat_discard };

  Step command(const smtp::codec::Command& c);
  Step helo(const smtp::codec::Helo& c);
  Step mail(const smtp::codec::MailFrom& c);
  Step rcpt(const smtp::codec::RcptTo& c);
  Step data();
  Step bdat(const smtp::codec::Bdat& c);
  Step starttls();
  Step auth(const smtp::codec::Auth& c);
  Step auth_response(std::string_view line);
  Step with_credentials(std::optional<Credentials> c);
  Step message_complete(smtp::codec::Body body);
  // Builds the submission: `fields` (Authentication-Results etc.), our Received, `content`.
  Step submit_message(std::string fields, std::string content,
                      std::vector<std::string> dmarc_records);
  Step bdat_chunk_complete();
  // Inbound controls (session_policy.cc).
  Step greeting();
  Step mail_checked(const smtp::codec::MailFrom& c, const policy::SenderLookup& lookup);
  Step rcpt_checked(smtp::codec::Mailbox to);
  // Reject/defer reply when the score is certain to reach a threshold at `stage`.
  std::optional<smtp::Reply> score_refusal(policy::Stage stage);
  // End of DATA: the final score; reject/defer step, or nullopt with `fields` extended by the
  // X-Postern-Score header when tagging.
  std::optional<Step> final_score(std::string& fields);
  std::optional<smtp::Reply> recipient_refusal(const smtp::codec::Mailbox& to);
  void note(std::string line);
  // Error reply: counted towards edge.limits.error_limit; at the limit a 421 4.7.0 follows.
  Step error(smtp::Reply reply, bool counts = true);
  Step ok(smtp::Reply reply) const;
  Step closing(smtp::Reply reply) const;
  void reset_transaction();
  std::string next_transaction_id();

  SessionSettings settings_;
  std::string client_ip_;
  std::string session_id_;
  Clock clock_;

  bool tls_active_ = false;
  std::string tls_description_;
  std::optional<smtp::codec::Helo> helo_;
  std::string auth_user_;
  AuthState auth_state_ = AuthState::none;
  std::string login_username_;
  std::optional<Credentials> pending_credentials_;
  uint32_t errors_ = 0;
  uint32_t transactions_ = 0;
  bool closed_ = false;

  // Transaction.
  std::optional<smtp::codec::MailFrom> mail_;
  std::vector<std::string> rcpts_;
  std::string transaction_id_;
  BodyMode body_mode_ = BodyMode::none;
  std::optional<smtp::codec::DataReader> data_reader_;
  std::optional<smtp::codec::BdatReader> bdat_reader_;
  uint64_t discard_remaining_ = 0;
  std::optional<smtp::Reply> discard_reply_;
  std::optional<SubmitRequest> pending_submission_;
  // Sender authentication of the transaction.
  inbound::Plan plan_;
  std::optional<SpfStart> pending_spf_;
  std::optional<AuthRequest> auth_request_;
  std::string auth_content_;   // the message while it is being authenticated
  std::string auth_received_;  // our Received field for it
  std::vector<std::string> pending_dmarc_records_;
  std::string auth_summary_;
  // Inbound controls.
  bool trusted_ = false;    // in edge.inbound.trusted_networks
  bool policy_on_ = false;  // see policy_active()
  std::string verified_name_;
  policy::Facts facts_;     // about the client: connect, HELO, pipelining, AUTH
  policy::Facts tx_facts_;  // about the transaction: MAIL, RCPT, DATA
  std::optional<smtp::Reply> connect_refusal_;  // decided at connect, answered to MAIL
  bool dnsbl_tag_ = false;
  bool pipelining_noted_ = false;
  std::optional<smtp::codec::MailFrom> pending_mail_;
  policy::SenderLookupPlan sender_plan_;
  std::optional<smtp::codec::Mailbox> pending_rcpt_;
  policy::GreylistTriplet greylist_triplet_;
  std::vector<std::string> policy_log_;
};

}  // namespace postern::edge
