#include "services/ctl_explain.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <optional>
#include <ostream>
#include <utility>

#include "common/dns/resolver.h"
#include "common/mailauth/dkim/key_cache.h"
#include "common/mailauth/dmarc/public_suffix.h"
#include "edge/inbound/authenticator.h"
#include "edge/policy/score.h"
#include "edge/policy_lookups.h"
#include "edge/session.h"

namespace postern::services {
namespace asio = boost::asio;
using edge::Next;
using edge::Step;

namespace {

struct Run {
  const config::Config& config;
  const ExplainInput& input;
  std::ostream& out;
  edge::Session& session;
  dns::Resolver& resolver;
  edge::inbound::AuthContext* auth;
  bool refused = false;
};

void print(Run& r, const Step& step) {
  for (const auto& line : r.session.take_policy_log()) r.out << "  policy: " << line << "\n";
  for (const auto& reply : step.replies) {
    r.out << "  > " << reply.to_string() << "\n";
    if (!reply.positive() && reply.code() != 354) r.refused = true;
  }
}

// Follows the session's steps until it needs input again, doing its I/O for real (DNS) or as
// explain stands in for it (no router, no greylist, no counters).
asio::awaitable<Step> follow(Run& r, Step step, edge::inbound::StartedSpf& spf) {
  while (true) {
    print(r, step);
    step.replies.clear();
    switch (step.next) {
      case Next::check_client: {
        edge::policy::ClientLookup lookup;
        const config::Inbound in = r.config.edge.inbound;
        lookup.ptr = co_await edge::lookup_ptr(r.resolver, r.input.ip);
        if (!in.dnsbl.zones.empty())
          lookup.zones = co_await edge::lookup_zones(r.resolver, r.input.ip, in.dnsbl.zones);
        if (!in.dnsbl.allow_zones.empty())
          lookup.allow_zones = co_await edge::lookup_zones(r.resolver, r.input.ip, in.dnsbl.allow_zones);
        r.out << "  (pre-greeting tests and session limits are not run by explain)\n";
        step = r.session.on_client_checked(lookup);
        continue;
      }
      case Next::check_sender: {
        const edge::policy::SenderLookupPlan plan = r.session.sender_lookup_plan();
        edge::policy::SenderLookup lookup;
        if (!plan.domain.empty())
          lookup.domain = co_await edge::lookup_sender_domain(r.resolver, plan.domain);
        if (!plan.rate_ip.empty() || !plan.rate_sender.empty())
          r.out << "  (rate limits are not counted by explain)\n";
        step = r.session.on_sender_checked(lookup);
        continue;
      }
      case Next::check_greylist: {
        edge::policy::GreylistAnswer answer;
        answer.error = "not queried by explain: greylist state is in the routers";
        step = r.session.on_greylist_checked(answer);
        continue;
      }
      case Next::start_spf: {
        const edge::SpfStart start = r.session.take_spf_start();
        if (r.auth != nullptr)
          spf = edge::inbound::start_spf(co_await asio::this_coro::executor, *r.auth, r.input.ip, start);
        step = r.session.on_spf_started();
        continue;
      }
      case Next::authenticate_message: {
        edge::inbound::Verdicts verdicts;
        if (r.auth != nullptr) {
          const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
          verdicts = co_await edge::inbound::authenticate(*r.auth, r.session.auth_request(),
                                                          std::exchange(spf, {}), nullptr, now);
        }
        step = r.session.on_authenticated(verdicts);
        if (!r.session.auth_summary().empty())
          r.out << "  authentication: " << r.session.auth_summary() << "\n";
        continue;
      }
      case Next::submit: {
        r.session.take_submission();
        r.out << "  (accepted: explain queues nothing)\n";
        step = r.session.on_submitted(edge::SubmitResult{true, "EXPLAIN", ""});
        continue;
      }
      case Next::record_dmarc: {
        r.session.take_dmarc_records();
        step = r.session.on_dmarc_recorded();
        continue;
      }
      case Next::verify_credentials:
      case Next::start_tls:
      case Next::read_body:
      case Next::read_command:
      case Next::close:
        co_return step;
    }
  }
}

asio::awaitable<Step> command(Run& r, const std::string& line, edge::inbound::StartedSpf& spf) {
  r.out << line << "\n";
  smtp::codec::LineReader reader;
  auto parsed = reader.feed(line + "\r\n");
  Step step = r.session.on_line(*parsed.event);
  co_return co_await follow(r, std::move(step), spf);
}

asio::awaitable<void> replay(Run& r) {
  edge::inbound::StartedSpf spf;
  r.out << "connect from " << r.input.ip << "\n";
  Step step = co_await follow(r, r.session.on_connect(), spf);
  if (step.next == Next::close) co_return;
  step = co_await command(r, "EHLO " + r.input.helo, spf);
  if (step.next == Next::close) co_return;
  step = co_await command(r, "MAIL FROM:<" + r.input.from + ">", spf);
  if (step.next == Next::close || !r.session.in_transaction()) co_return;
  for (const auto& to : r.input.to) {
    step = co_await command(r, "RCPT TO:<" + to + ">", spf);
    if (step.next == Next::close) co_return;
  }
  step = co_await command(r, "DATA", spf);
  if (step.next != Next::read_body) co_return;
  r.out << "(message: a minimal one with From: <" << r.input.from << ">)\n";
  const std::string body = "From: <" + r.input.from + ">\r\nSubject: explain\r\n\r\nexplain\r\n.\r\n";
  auto fed = r.session.on_body_bytes(body);
  if (fed.step) co_await follow(r, std::move(*fed.step), spf);
}

void print_facts(Run& r) {
  edge::policy::Facts all = r.session.session_facts();
  // The transaction's facts are gone after the end of DATA; the policy lines above show them.
  r.out << "session facts:\n";
  if (all.empty()) r.out << "  (none)\n";
  for (const auto& f : all)
    r.out << "  " << f.name << " " << edge::policy::format_weight(f.weight) << "  ["
          << edge::policy::to_string(f.stage) << "] " << f.detail << "\n";
  const auto& s = r.config.edge.inbound.score;
  const auto threshold = [](const std::optional<double>& t) {
    return t ? edge::policy::format_weight(*t).substr(*t < 0 ? 0 : 1) : std::string("off");
  };
  r.out << "thresholds: tag " << threshold(s.tag) << ", defer " << threshold(s.defer)
        << ", reject " << threshold(s.reject) << "\n";
}

const config::Listener* pick_listener(const config::Config& c, const std::string& name) {
  for (const auto& l : c.edge.listeners) {
    if (name.empty() ? l.auth != config::ListenerAuth::required : l.name == name) return &l;
  }
  return nullptr;
}

}  // namespace

int explain(const config::Config& config, const ExplainInput& input, std::ostream& out) {
  const config::Listener* listener = pick_listener(config, input.listener);
  if (listener == nullptr) {
    out << "explain: no listener " << (input.listener.empty() ? "without auth: required" : input.listener)
        << " in edge.listeners\n";
    return 1;
  }
  if (input.to.empty()) {
    out << "explain: give at least one --to\n";
    return 1;
  }
  asio::io_context io;
  auto resolver = dns::make_cares_resolver(io.get_executor(), config.dns);
  edge::SessionSettings settings = edge::SessionSettings::from(config, *listener);
  // explain talks plain SMTP: no TLS step, no AUTH.
  settings.tls = config::ListenerTls::none;
  settings.auth = config::ListenerAuth::none;
  edge::Session session(settings, input.ip, "EXPLAIN", [] { return std::chrono::system_clock::now(); });

  std::optional<mailauth::dmarc::PublicSuffixList> psl;
  mailauth::dkim::KeyCache key_cache;
  std::optional<edge::inbound::AuthContext> auth;
  const config::Inbound& in = config.edge.inbound;
  if (in.spf.enabled || in.dkim.enabled || in.dmarc.enabled) {
    auth.emplace();
    auth->resolver = resolver.get();
    if (in.dmarc.org_domain == config::OrgDomainMethod::psl) {
      psl = mailauth::dmarc::PublicSuffixList::system();
      auth->psl = psl ? &*psl : nullptr;
    }
    auth->key_cache = &key_cache;
    auth->org_domain = in.dmarc.org_domain;
    auth->receiver = config.internet.hostname;
  }
  Run run{config, input, out, session, *resolver, auth ? &*auth : nullptr};
  out << "explain: listener " << listener->name << ", config " << config.source_file << "\n";
  asio::co_spawn(io, replay(run), asio::detached);
  io.run();
  print_facts(run);
  out << "verdict: " << (run.refused ? "refused or deferred (see the replies above)" : "accepted")
      << "\n";
  return run.refused ? 2 : 0;
}

}  // namespace postern::services
