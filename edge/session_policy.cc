// Session: the inbound controls' steps (issue 5). See session.h for the contract and
// edge/policy/ for each check.
#include <algorithm>
#include <utility>

#include "edge/policy/greylist.h"
#include "edge/policy/recipients.h"
#include "edge/policy/score.h"
#include "edge/relay.h"
#include "edge/session.h"

namespace postern::edge {

using smtp::Reply;
namespace codec = smtp::codec;

namespace {

policy::Facts joined(const policy::Facts& a, const policy::Facts& b) {
  policy::Facts all = a;
  all.insert(all.end(), b.begin(), b.end());
  return all;
}

}  // namespace

void Session::note(std::string line) { policy_log_.push_back(std::move(line)); }

Step Session::greeting() { return ok(Reply::plain(220, settings_.hostname + " ESMTP Postern")); }

Step Session::on_client_checked(const policy::ClientLookup& lookup) {
  const config::Inbound& in = *settings_.inbound;
  policy::ClientVerdict v = policy::check_client(in, client_ip_, lookup);
  verified_name_ = v.verified_name;
  for (auto& line : v.log) note("connect: " + line);
  facts_.insert(facts_.end(), v.result.facts.begin(), v.result.facts.end());
  dnsbl_tag_ = v.tag;
  const std::string facts = policy::describe(facts_);
  if (v.result.rejected()) {
    note("connect verdict: reject: " + v.result.reason + " -> " + v.result.reply->to_string() +
         (facts.empty() ? "" : " [" + facts + "]"));
    if (v.at_connect) {
      closed_ = true;
      Reply reply = *v.result.reply;
      return closing(Reply(reply.code(), reply.status(), reply.lines(), true));
    }
    connect_refusal_ = v.result.reply;
    return greeting();
  }
  if (v.result.kind == policy::CheckResult::Kind::permit) {
    // connection.allow_hosts: nothing else is judged for this client.
    policy_on_ = false;
    note("connect verdict: permit: " + v.result.reason);
    return greeting();
  }
  const bool greylisting = in.greylist.enabled;
  const policy::ScoreVerdict score = policy::evaluate(
      in.score, facts_,
      policy::still_possible(in.score, policy::Stage::connect,
                             settings_.auth != config::ListenerAuth::none, greylisting),
      false);
  if (score.reply) connect_refusal_ = score.reply;
  note(std::string("connect verdict: ") + policy::to_string(score.kind) + ": " + score.reason +
       (score.reply ? " -> " + score.reply->to_string() + " (answered to MAIL FROM)" : ""));
  return greeting();
}

void Session::note_pipelining_violation() {
  if (!policy_on_ || pipelining_noted_) return;
  pipelining_noted_ = true;
  policy::Fact f = policy::make_fact(settings_.inbound->score, "pipelining", policy::Stage::helo,
                                     "commands sent before the reply without PIPELINING");
  note("fact pipelining (" + policy::format_weight(f.weight) + "): " + f.detail);
  facts_.push_back(std::move(f));
}

Step Session::on_sender_checked(const policy::SenderLookup& lookup) {
  codec::MailFrom c = std::move(pending_mail_.value());
  pending_mail_.reset();
  return mail_checked(c, lookup);
}

Step Session::on_greylist_checked(const policy::GreylistAnswer& answer) {
  codec::Mailbox to = std::move(pending_rcpt_.value());
  pending_rcpt_.reset();
  policy::CheckResult r =
      policy::judge_greylist(settings_.inbound->score, greylist_triplet_, answer);
  note(r.reason);
  if (r.rejected()) return error(*r.reply, false);
  for (auto& f : r.facts) {
    const bool seen = std::any_of(tx_facts_.begin(), tx_facts_.end(),
                                  [&](const policy::Fact& t) { return t.name == f.name; });
    if (!seen) tx_facts_.push_back(std::move(f));
  }
  return rcpt_checked(std::move(to));
}

std::optional<Reply> Session::recipient_refusal(const codec::Mailbox& to) {
  if (!settings_.inbound || !settings_.directory) return std::nullopt;
  if (!is_local_recipient(to, settings_.local_domains)) return std::nullopt;
  const config::InboundRecipients& controls = settings_.inbound->recipients;
  if (!controls.verify_local && !controls.deny_groups) return std::nullopt;
  policy::CheckResult r = policy::check_recipient(controls, *settings_.directory, to);
  if (!r.rejected()) return std::nullopt;
  note("rcpt to " + to.to_string() + " refused: " + r.reason);
  return r.reply;
}

std::optional<Reply> Session::score_refusal(policy::Stage stage) {
  if (!policy_on_ || !auth_user_.empty()) return std::nullopt;
  const config::Inbound& in = *settings_.inbound;
  const policy::Facts all = joined(facts_, tx_facts_);
  const policy::ScoreVerdict v = policy::evaluate(
      in.score, all, policy::still_possible(in.score, stage, false, in.greylist.enabled), false);
  if (!v.reply) return std::nullopt;
  note(std::string(policy::to_string(stage)) + " verdict: " + policy::to_string(v.kind) + ": " +
       v.reason + " -> " + v.reply->to_string());
  return v.reply;
}

std::optional<Step> Session::final_score(std::string& fields) {
  if (!policy_on_ || !auth_user_.empty()) return std::nullopt;
  const config::Inbound& in = *settings_.inbound;
  const policy::Facts all = joined(facts_, tx_facts_);
  const policy::ScoreVerdict v = policy::evaluate(in.score, all, {}, true);
  note("data verdict for " + transaction_id_ + ": " + policy::to_string(v.kind) + ": " + v.reason +
       (v.reply ? " -> " + v.reply->to_string() : ""));
  if (v.reply) {
    auth_summary_ = v.reason;
    reset_transaction();
    return ok(*v.reply);
  }
  if (v.kind == policy::ScoreVerdict::Kind::tag || dnsbl_tag_) {
    policy::ScoreVerdict shown = v;
    shown.kind = policy::ScoreVerdict::Kind::tag;
    fields = policy::score_header(shown, all) + fields;
  }
  return std::nullopt;
}

}  // namespace postern::edge
