#include "edge/session.h"

#include <type_traits>
#include <utility>

#include "common/mailauth/dmarc/evaluation_record.h"
#include "edge/inbound/decision.h"
#include "edge/inbound/headers.h"
#include "edge/inbound/plan.h"
#include "edge/policy/auth_facts.h"
#include "edge/policy/helo.h"
#include "edge/policy/relay.h"
#include "edge/received.h"
#include "edge/relay.h"

namespace postern::edge {

using smtp::Reply;
namespace codec = smtp::codec;

namespace {

Reply sequence(std::string text) { return Reply(503, {5, 5, 1}, std::move(text)); }

// LOGIN challenges: base64 of "Username:" and "Password:".
constexpr const char* kUsernameChallenge = "VXNlcm5hbWU6";
constexpr const char* kPasswordChallenge = "UGFzc3dvcmQ6";

}  // namespace

SessionSettings SessionSettings::from(const config::Config& config,
                                      const config::Listener& listener) {
  SessionSettings s;
  s.hostname = config.internet.hostname;
  s.local_domains = config.internet.local_domains;
  s.limits = config.edge.limits;
  s.listener = listener.name;
  s.tls = listener.tls;
  s.auth = listener.auth;
  s.inbound = config.edge.inbound;
  s.directory = std::make_shared<policy::RecipientDirectory>(config.directory,
                                                             config.internet.local_domains);
  return s;
}

Session::Session(SessionSettings settings, std::string client_ip, std::string session_id,
                 Clock clock)
    : settings_(std::move(settings)),
      client_ip_(std::move(client_ip)),
      session_id_(std::move(session_id)),
      clock_(std::move(clock)) {}

Step Session::ok(Reply reply) const {
  Step s;
  s.replies.push_back(std::move(reply));
  return s;
}

Step Session::closing(Reply reply) const {
  Step s;
  s.replies.push_back(std::move(reply));
  s.next = Next::close;
  return s;
}

Step Session::error(Reply reply, bool counts) {
  Step s;
  s.replies.push_back(std::move(reply));
  if (counts && ++errors_ >= settings_.limits.error_limit) {
    closed_ = true;
    s.replies.push_back(Reply(421, {4, 7, 0}, settings_.hostname + " Error: too many errors",
                              true));
    s.next = Next::close;
  }
  return s;
}

void Session::reset_transaction() {
  mail_.reset();
  rcpts_.clear();
  transaction_id_.clear();
  body_mode_ = BodyMode::none;
  data_reader_.reset();
  bdat_reader_.reset();
  pending_submission_.reset();
  plan_ = inbound::Plan{};
  pending_spf_.reset();
  auth_request_.reset();
  auth_content_.clear();
  auth_received_.clear();
  tx_facts_.clear();
  pending_mail_.reset();
  pending_rcpt_.reset();
}

std::string Session::next_transaction_id() {
  return session_id_ + std::to_string(++transactions_);
}

Step Session::on_connect(std::string tls_description) {
  if (!tls_description.empty() || settings_.tls == config::ListenerTls::implicit) {
    tls_active_ = true;
    tls_description_ = std::move(tls_description);
  }
  trusted_ = settings_.inbound && config::any_contains(settings_.inbound->trusted_networks,
                                                       client_ip_);
  policy_on_ = settings_.inbound && !trusted_;
  if (policy_on_) {
    Step s;
    s.next = Next::check_client;
    return s;
  }
  return greeting();
}

Step Session::on_timeout() {
  closed_ = true;
  return closing(Reply(421, {4, 4, 2}, settings_.hostname + " Error: timeout exceeded", true));
}

Step Session::on_shutdown() {
  closed_ = true;
  return closing(Reply(421, {4, 3, 2}, settings_.hostname + " Service shutting down", true));
}

Step Session::on_line(const codec::LineEvent& line) {
  if (closed_) return closing(Reply(421, {4, 3, 0}, "Session closed", true));
  if (auth_state_ != AuthState::none) {
    if (line.kind != codec::LineEvent::Kind::line) {
      auth_state_ = AuthState::none;
      return error(line.error_reply());
    }
    return auth_response(line.text);
  }
  if (line.kind != codec::LineEvent::Kind::line) return error(line.error_reply());
  codec::ParseContext ctx;
  ctx.smtputf8_transaction = mail_ && mail_->smtputf8;
  codec::CommandResult parsed = codec::parse_command(line.text, ctx);
  if (!parsed.ok()) {
    // A rejected BDAT still announced its chunk; without a valid size we cannot skip it,
    // and its bytes will be refused as commands (counted, bounded by error_limit).
    return error(parsed.error());
  }
  return command(parsed.command());
}

Step Session::command(const codec::Command& c) {
  return std::visit(
      [this](const auto& cmd) -> Step {
        using T = std::decay_t<decltype(cmd)>;
        if constexpr (std::is_same_v<T, codec::Helo>) {
          return helo(cmd);
        } else if constexpr (std::is_same_v<T, codec::MailFrom>) {
          return mail(cmd);
        } else if constexpr (std::is_same_v<T, codec::RcptTo>) {
          return rcpt(cmd);
        } else if constexpr (std::is_same_v<T, codec::Data>) {
          return data();
        } else if constexpr (std::is_same_v<T, codec::Bdat>) {
          return bdat(cmd);
        } else if constexpr (std::is_same_v<T, codec::Rset>) {
          reset_transaction();
          return ok(Reply(250, {2, 0, 0}, "Ok"));
        } else if constexpr (std::is_same_v<T, codec::Noop>) {
          return ok(Reply(250, {2, 0, 0}, "Ok"));
        } else if constexpr (std::is_same_v<T, codec::Quit>) {
          closed_ = true;
          return closing(Reply(221, {2, 0, 0}, "Bye", true));
        } else if constexpr (std::is_same_v<T, codec::Vrfy>) {
          return ok(Reply(252, {2, 5, 0},
                          "Cannot VRFY user, but will accept message and attempt delivery"));
        } else if constexpr (std::is_same_v<T, codec::Help>) {
          return ok(Reply(214, {2, 0, 0}, "See RFC 5321 (Postern)"));
        } else if constexpr (std::is_same_v<T, codec::StartTls>) {
          return starttls();
        } else {
          static_assert(std::is_same_v<T, codec::Auth>);
          return auth(cmd);
        }
      },
      c);
}

Step Session::helo(const codec::Helo& c) {
  reset_transaction();  // RFC 5321 4.1.4: EHLO/HELO imply RSET
  helo_ = c;
  if (policy_on_) {
    std::erase_if(facts_, [](const policy::Fact& f) {
      return f.name == "helo_not_fqdn" || f.name == "helo_mismatch";
    });
    const policy::HeloContext ctx{client_ip_, verified_name_, settings_.hostname,
                                  &settings_.local_domains};
    for (auto& f : policy::helo_facts(settings_.inbound->score, c.domain, ctx)) {
      note("helo fact " + f.name + " (" + policy::format_weight(f.weight) + "): " + f.detail);
      facts_.push_back(std::move(f));
    }
  }
  if (!c.extended) return ok(Reply::plain(250, settings_.hostname));
  // RFC 2034 3: no enhanced status codes on the EHLO response.
  std::vector<std::string> lines{settings_.hostname, "PIPELINING",
                                 "SIZE " + std::to_string(settings_.limits.max_message_bytes),
                                 "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING"};
  if (settings_.tls == config::ListenerTls::starttls && !tls_active_) lines.push_back("STARTTLS");
  if (tls_active_ && settings_.auth != config::ListenerAuth::none)
    lines.push_back("AUTH PLAIN LOGIN");
  return ok(Reply(250, smtp::EnhancedStatus{}, std::move(lines)));
}

Step Session::mail(const codec::MailFrom& c) {
  if (!helo_) return error(sequence("Send EHLO or HELO first"));
  if (mail_) return error(sequence("Nested MAIL command"));
  if (settings_.auth == config::ListenerAuth::required && auth_user_.empty())
    return error(Reply(530, {5, 7, 0}, "Authentication required"));
  if (c.size && *c.size > settings_.limits.max_message_bytes)
    return error(Reply(552, {5, 3, 4}, "Message size exceeds fixed maximum message size"));
  const bool authenticated = !auth_user_.empty();
  if (policy_on_ && !authenticated && connect_refusal_) {
    note("mail from " + c.from.to_string() + " refused: " + connect_refusal_->to_string());
    return error(*connect_refusal_);
  }
  sender_plan_ = {};
  if (settings_.inbound) {
    const config::Inbound& in = *settings_.inbound;
    if (policy_on_ && !authenticated) {
      const auto w = in.score.weights.find("sender_domain_missing");
      const bool scored = policy::scoring(in) && w != in.score.weights.end() && w->second != 0;
      if (!c.from.null() && !c.from.is_literal() && (in.sender.verify_domain || scored))
        sender_plan_.domain = c.from.domain;
      if (in.rate_limits.messages_per_ip.count > 0) sender_plan_.rate_ip = client_ip_;
    }
    if (authenticated && in.rate_limits.messages_per_sender.count > 0)
      sender_plan_.rate_sender = auth_user_;
  }
  if (sender_plan_.any()) {
    pending_mail_ = c;
    Step s;
    s.next = Next::check_sender;
    return s;
  }
  return mail_checked(c, {});
}

Step Session::mail_checked(const codec::MailFrom& c, const policy::SenderLookup& lookup) {
  policy::Facts facts;
  if (settings_.inbound && (policy_on_ || sender_plan_.any())) {
    policy::CheckResult r = policy::check_sender(*settings_.inbound, c.from, lookup);
    if (r.rejected()) {
      note("mail from " + c.from.to_string() + " refused: " + r.reason + " -> " +
           r.reply->to_string());
      return error(*r.reply, r.reply->permanent());
    }
    if (!r.reason.empty()) note("mail from " + c.from.to_string() + ": " + r.reason);
    facts = std::move(r.facts);
  }
  mail_ = c;
  tx_facts_ = std::move(facts);
  if (auto refusal = score_refusal(policy::Stage::mail)) {
    mail_.reset();
    tx_facts_.clear();
    return error(*refusal, refusal->permanent());
  }
  transaction_id_ = next_transaction_id();
  Step s = ok(Reply(250, {2, 1, 0}, "Ok"));
  if (settings_.inbound)
    plan_ = inbound::plan_for(*settings_.inbound, client_ip_, !auth_user_.empty());
  if (plan_.spf || plan_.spf_helo) {
    // Started now so the DNS work overlaps RCPT and DATA (issue 4).
    pending_spf_ = SpfStart{plan_.spf, plan_.spf_helo, c.from.to_string(), helo_->domain};
    s.next = Next::start_spf;
  }
  return s;
}

Step Session::rcpt(const codec::RcptTo& c) {
  if (!mail_) return error(sequence("Need MAIL command"));
  if (body_mode_ != BodyMode::none) return error(sequence("RCPT not allowed after BDAT"));
  if (rcpts_.size() >= settings_.limits.max_recipients)
    return error(Reply(452, {4, 5, 3}, "Too many recipients"), false);
  codec::Mailbox to = c.to;
  if (to.domain.empty()) {
    // The bare <postmaster> (RFC 5321 4.5.1) is ours: give it a local domain to route on.
    to.domain = settings_.local_domains.empty() ? settings_.hostname
                                                : settings_.local_domains.front();
    if (auth_user_.empty() && settings_.local_domains.empty())
      return error(Reply(554, {5, 7, 1}, "Relay access denied"));
  } else {
    static const config::InboundRelay kDefaultRelay;
    const policy::RelayClient client{client_ip_, verified_name_, !auth_user_.empty(), trusted_};
    const policy::CheckResult relay = policy::check_relay(
        settings_.inbound ? settings_.inbound->relay : kDefaultRelay, settings_.local_domains,
        to, client);
    if (relay.rejected()) {
      note("rcpt to " + to.to_string() + " refused: " + relay.reason);
      return error(*relay.reply);
    }
    if (auto refusal = recipient_refusal(to)) return error(*refusal);
  }
  if (policy_on_ && auth_user_.empty() &&
      policy::greylist_applies(*settings_.inbound, client_ip_, verified_name_, false, trusted_,
                               mail_->from, to)) {
    greylist_triplet_ = policy::make_triplet(client_ip_, mail_->from, to);
    pending_rcpt_ = std::move(to);
    Step s;
    s.next = Next::check_greylist;
    return s;
  }
  return rcpt_checked(std::move(to));
}

Step Session::rcpt_checked(codec::Mailbox to) {
  if (auto refusal = score_refusal(policy::Stage::rcpt)) return error(*refusal, refusal->permanent());
  rcpts_.push_back(to.to_string());
  return ok(Reply(250, {2, 1, 5}, "Ok"));
}

Step Session::data() {
  if (!mail_) return error(sequence("Need MAIL command"));
  if (body_mode_ != BodyMode::none) return error(sequence("DATA not allowed after BDAT"));
  if (rcpts_.empty()) return error(Reply(554, {5, 5, 1}, "No valid recipients"));
  body_mode_ = BodyMode::data;
  data_reader_.emplace(settings_.limits.max_message_bytes);
  Step s = ok(Reply::plain(354, "End data with <CR><LF>.<CR><LF>"));
  s.next = Next::read_body;
  return s;
}

Step Session::bdat(const codec::Bdat& c) {
  // RFC 3030 2: the chunk follows the command whatever we answer, so a refused BDAT still
  // has its octets read (and dropped) before the refusal is sent.
  std::optional<Reply> refuse;
  if (!mail_) refuse = sequence("Need MAIL command");
  else if (rcpts_.empty()) refuse = Reply(554, {5, 5, 1}, "No valid recipients");
  else if (body_mode_ == BodyMode::data) refuse = sequence("BDAT not allowed after DATA");
  Step s;
  if (refuse) {
    body_mode_ = BodyMode::bdat_discard;
    discard_remaining_ = c.size;
    discard_reply_ = *refuse;
    if (c.size == 0) return on_body_bytes({}).step.value_or(s);
    s.next = Next::read_body;
    return s;
  }
  if (!bdat_reader_) bdat_reader_.emplace(settings_.limits.max_message_bytes);
  body_mode_ = BodyMode::bdat;
  bdat_reader_->begin_chunk(c.size, c.last);
  if (c.size == 0) return bdat_chunk_complete();
  s.next = Next::read_body;
  return s;
}

Session::BodyFeed Session::on_body_bytes(std::string_view bytes) {
  BodyFeed f;
  switch (body_mode_) {
    case BodyMode::data: {
      auto r = data_reader_->feed(bytes);
      f.consumed = r.consumed;
      if (r.done) {
        codec::Body body = data_reader_->take();
        data_reader_.reset();
        f.step = message_complete(std::move(body));
      }
      break;
    }
    case BodyMode::bdat:
      f.consumed = bdat_reader_->feed(bytes);
      if (bdat_reader_->chunk_complete()) f.step = bdat_chunk_complete();
      break;
    case BodyMode::bdat_discard: {
      const uint64_t n = std::min<uint64_t>(discard_remaining_, bytes.size());
      f.consumed = static_cast<std::size_t>(n);
      discard_remaining_ -= n;
      if (discard_remaining_ == 0) {
        // The refused chunk also ends any transaction it was part of.
        const bool had_transaction = mail_.has_value();
        Reply reply = *discard_reply_;
        discard_reply_.reset();
        if (had_transaction) reset_transaction();
        body_mode_ = BodyMode::none;
        f.step = error(std::move(reply));
      }
      break;
    }
    case BodyMode::none:
      f.step = error(sequence("No message in progress"));
      break;
  }
  return f;
}

Step Session::bdat_chunk_complete() {
  if (bdat_reader_->last()) {
    codec::Body body = bdat_reader_->take();
    bdat_reader_.reset();
    return message_complete(std::move(body));
  }
  if (bdat_reader_->error() != codec::BodyError::none) {
    // Refuse now (RFC 3030 3: the client then sends no more chunks of this message); any
    // it already pipelined are discarded as BDAT without a transaction.
    codec::Body body = bdat_reader_->take();
    reset_transaction();
    return error(*body.error_reply());
  }
  // Between chunks commands are read again; body_mode_ stays bdat so DATA and RCPT are
  // refused until the LAST chunk (or RSET).
  return ok(Reply(250, {2, 0, 0}, std::to_string(bdat_reader_->size()) + " octets received"));
}

Step Session::message_complete(codec::Body body) {
  if (!body.ok()) {
    Reply reply = *body.error_reply();
    reset_transaction();
    return error(std::move(reply));
  }
  ReceivedFacts facts;
  facts.helo = helo_ ? helo_->domain : std::string("unknown");
  facts.client_ip = client_ip_;
  facts.hostname = settings_.hostname;
  facts.esmtp = helo_ && helo_->extended;
  facts.tls = tls_active_;
  facts.authenticated = !auth_user_.empty();
  facts.tls_description = tls_description_;
  facts.id = transaction_id_;
  facts.recipients = rcpts_;
  facts.when = clock_();
  auth_received_ = received_header(facts);
  // RFC 8601 5: fields claiming our authserv-id did not come from us, whoever the client is.
  auth_content_ = inbound::remove_forged_fields(body.content, settings_.hostname).message;
  body.content.clear();
  body_mode_ = BodyMode::none;
  if (!plan_.dkim && !plan_.dmarc && !plan_.spf && !plan_.spf_helo) {
    std::string fields;
    if (auto refused = final_score(fields)) return std::move(*refused);
    return submit_message(std::move(fields), std::move(auth_content_), {});
  }
  auth_request_ =
      AuthRequest{auth_content_, client_ip_, facts.helo, mail_->from.to_string(), plan_};
  Step s;
  s.next = Next::authenticate_message;
  return s;
}

Step Session::submit_message(std::string fields, std::string content,
                             std::vector<std::string> dmarc_records) {
  SubmitRequest req;
  req.transaction_id = transaction_id_;
  req.mail_from = mail_->from.to_string();
  req.recipients = rcpts_;
  req.smtputf8 = mail_->smtputf8;
  req.body = mail_->body;
  req.envid = mail_->envid;
  req.client = ClientFacts{client_ip_, helo_ ? helo_->domain : std::string("unknown"), auth_user_,
                           tls_active_, settings_.listener};
  req.client.trusted_network = trusted_;  // router.dkim signs mail of trusted networks
  req.message.reserve(fields.size() + auth_received_.size() + content.size());
  req.message = std::move(fields);
  req.message += auth_received_;
  req.message += content;
  content.clear();
  auth_received_.clear();
  auth_content_.clear();
  auth_request_.reset();
  req.dmarc_evaluations = std::move(dmarc_records);
  pending_submission_ = std::move(req);
  Step s;
  s.next = Next::submit;
  return s;
}

Step Session::on_authenticated(const inbound::Verdicts& verdicts) {
  const inbound::Decision decision = inbound::decide(*settings_.inbound, plan_, verdicts);
  std::vector<std::string> records;
  if (verdicts.dmarc && !verdicts.dmarc->from_domain.empty()) {
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            clock_().time_since_epoch()).count();
    records.push_back(mailauth::dmarc::to_json_line(mailauth::dmarc::make_evaluation_record(
        *verdicts.dmarc, verdicts.dmarc_inputs, client_ip_, now)));
  }
  auth_summary_ = decision.reason;
  switch (decision.kind) {
    case inbound::Decision::Kind::reject: {
      reset_transaction();
      Step s = ok(*decision.reply);
      // Aggregate reports count refused messages too; a deferred one comes back and is
      // evaluated (and recorded) then.
      if (!records.empty()) {
        pending_dmarc_records_ = std::move(records);
        s.next = Next::record_dmarc;
      }
      return s;
    }
    case inbound::Decision::Kind::defer:
      reset_transaction();
      return ok(*decision.reply);
    case inbound::Decision::Kind::accept:
      break;
  }
  if (!decision.quarantine.empty()) auth_summary_ = "quarantine: " + decision.quarantine;
  inbound::HeaderContext ctx{settings_.hostname, client_ip_, auth_request_->helo,
                             auth_request_->mail_from};
  std::string fields =
      inbound::authentication_fields(*settings_.inbound, plan_, verdicts, decision, ctx);
  if (policy_on_) {
    for (auto& f : policy::auth_facts(settings_.inbound->score, verdicts)) tx_facts_.push_back(std::move(f));
  }
  if (auto refused = final_score(fields)) {
    // Aggregate reports count messages refused by the score too.
    if (!records.empty() && refused->replies.front().permanent()) {
      pending_dmarc_records_ = std::move(records);
      refused->next = Next::record_dmarc;
    }
    return std::move(*refused);
  }
  return submit_message(std::move(fields), std::move(auth_content_), std::move(records));
}

SpfStart Session::take_spf_start() {
  SpfStart s = std::move(pending_spf_.value());
  pending_spf_.reset();
  return s;
}

Step Session::on_spf_started() { return Step{}; }

std::vector<std::string> Session::take_dmarc_records() {
  return std::exchange(pending_dmarc_records_, {});
}

Step Session::on_dmarc_recorded() { return Step{}; }

SubmitRequest Session::take_submission() {
  SubmitRequest r = std::move(pending_submission_.value());
  pending_submission_.reset();
  return r;
}

Step Session::on_submitted(const SubmitResult& result) {
  reset_transaction();
  if (!result.ok)
    return error(Reply(451, {4, 3, 0}, "Temporary failure: message not queued, try again later"),
                 false);
  return ok(Reply(250, {2, 0, 0}, "Ok: queued as " + result.queue_id));
}

Step Session::starttls() {
  if (tls_active_) return error(sequence("TLS already active"));
  if (settings_.tls != config::ListenerTls::starttls)
    return error(Reply(502, {5, 5, 1}, "STARTTLS not available"));
  Step s = ok(Reply(220, {2, 0, 0}, "Ready to start TLS"));
  s.next = Next::start_tls;
  return s;
}

Step Session::on_tls_up(std::string tls_description) {
  // RFC 3207 4.2: forget everything learned before the handshake.
  reset_transaction();
  helo_.reset();
  auth_user_.clear();
  std::erase_if(facts_, [](const policy::Fact& f) { return f.name == "authenticated"; });
  auth_state_ = AuthState::none;
  tls_active_ = true;
  tls_description_ = std::move(tls_description);
  return Step{};
}

Step Session::auth(const codec::Auth& c) {
  if (!helo_ || !helo_->extended) return error(sequence("Send EHLO first"));
  if (settings_.auth == config::ListenerAuth::none)
    return error(sequence("Authentication not enabled"));
  if (!tls_active_)
    return error(Reply(538, {5, 7, 11}, "Encryption required for requested authentication mechanism"));
  if (!auth_user_.empty()) return error(sequence("Already authenticated"));
  if (mail_) return error(sequence("AUTH not permitted during a mail transaction"));
  if (c.mechanism == "PLAIN") {
    if (!c.initial_response) {
      auth_state_ = AuthState::plain;
      return ok(Reply::plain(334, ""));
    }
    auto decoded = decode_response(*c.initial_response);
    if (!decoded) return error(Reply(501, {5, 5, 2}, "Cannot decode response"));
    return with_credentials(parse_plain(*decoded));
  }
  if (c.mechanism == "LOGIN") {
    if (!c.initial_response) {
      auth_state_ = AuthState::login_user;
      return ok(Reply::plain(334, kUsernameChallenge));
    }
    auto decoded = decode_response(*c.initial_response);
    if (!decoded) return error(Reply(501, {5, 5, 2}, "Cannot decode response"));
    login_username_ = std::move(*decoded);
    auth_state_ = AuthState::login_password;
    return ok(Reply::plain(334, kPasswordChallenge));
  }
  return error(Reply(504, {5, 5, 4}, "Unrecognized authentication type"));
}

Step Session::auth_response(std::string_view line) {
  const AuthState state = auth_state_;
  auth_state_ = AuthState::none;
  if (line == "*") {
    login_username_.clear();
    return error(Reply(501, {5, 0, 0}, "Authentication cancelled"));
  }
  auto decoded = decode_response(line);
  if (!decoded) {
    login_username_.clear();
    return error(Reply(501, {5, 5, 2}, "Cannot decode response"));
  }
  switch (state) {
    case AuthState::plain:
      return with_credentials(parse_plain(*decoded));
    case AuthState::login_user:
      login_username_ = std::move(*decoded);
      auth_state_ = AuthState::login_password;
      return ok(Reply::plain(334, kPasswordChallenge));
    case AuthState::login_password: {
      Credentials c{std::move(login_username_), std::move(*decoded)};
      login_username_.clear();
      if (c.username.empty() || c.password.empty()) return with_credentials(std::nullopt);
      return with_credentials(std::move(c));
    }
    case AuthState::none:
      break;
  }
  return error(sequence("No authentication in progress"));
}

Step Session::with_credentials(std::optional<Credentials> c) {
  if (!c) return error(Reply(535, {5, 7, 8}, "Authentication credentials invalid"));
  pending_credentials_ = std::move(c);
  Step s;
  s.next = Next::verify_credentials;
  return s;
}

Credentials Session::take_credentials() {
  Credentials c = std::move(pending_credentials_.value());
  pending_credentials_.reset();
  return c;
}

Step Session::on_credentials_checked(std::optional<std::string> user) {
  if (!user) return error(Reply(535, {5, 7, 8}, "Authentication credentials invalid"));
  auth_user_ = std::move(*user);
  if (settings_.inbound) {
    facts_.push_back(policy::make_fact(settings_.inbound->score, "authenticated",
                                       policy::Stage::mail, "authenticated as " + auth_user_));
  }
  return ok(Reply(235, {2, 7, 0}, "Authentication successful"));
}

}  // namespace postern::edge
