// check_host() (RFC 7208 4-6). One Evaluation object holds the state shared by a whole
// check (limits, counters, PTR cache); include and redirect recurse through evaluate().
#include "common/mailauth/spf/check_host.h"

#include <algorithm>
#include <map>
#include <variant>
#include <vector>

#include "common/mailauth/spf/address.h"
#include "common/mailauth/spf/domain.h"
#include "common/mailauth/spf/macro.h"
#include "common/mailauth/spf/record.h"

namespace postern::spf {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// What evaluating one record (or a mechanism that ends the check) produced.
struct Outcome {
  Result result = Result::neutral;
  std::string mechanism;
  std::string explanation;
  std::string problem;
};

Outcome stop(Result result, std::string problem) {
  Outcome o;
  o.result = result;
  o.problem = std::move(problem);
  return o;
}

// A mechanism either matched, did not, or ended the whole check (temperror/permerror).
struct Step {
  bool matched = false;
  std::optional<Outcome> end;
};

Step no_match() { return Step{}; }
Step match() { return Step{true, std::nullopt}; }
Step end_with(Result result, std::string problem) {
  return Step{false, stop(result, std::move(problem))};
}

Ip to_spf_ip(const asio::ip::address& address) {
  Ip ip;
  if (address.is_v4()) {
    const auto b = address.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), ip.bytes.begin());
  } else {
    ip.v6 = true;
    const auto b = address.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), ip.bytes.begin());
  }
  return normalise(ip);
}

bool is_void(dns::Status s) { return s == dns::Status::nxdomain || s == dns::Status::nodata; }
// 5: a DNS failure other than "no such name/data" ends the check with temperror. The resolver's
// permerror (malformed reply) is a DNS error too: the sender may fix its zone and retry.
bool is_failure(dns::Status s) { return s == dns::Status::temperror || s == dns::Status::permerror; }

class Evaluation {
 public:
  Evaluation(dns::Resolver& resolver, const Request& request, const Limits& limits)
      : dns_(resolver), request_(request), limits_(limits), ip_(to_spf_ip(request.ip)),
        deadline_(Clock::now() + limits.time_budget) {
    const std::size_t at = request_.sender.rfind('@');
    local_ = at == std::string::npos ? std::string{} : request_.sender.substr(0, at);
    sender_domain_ = at == std::string::npos ? request_.sender : request_.sender.substr(at + 1);
    if (local_.empty()) local_ = "postmaster";  // 4.3
    timestamp_ = request_.timestamp.value_or(std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now().time_since_epoch()).count());
  }

  // check_host() for `domain` (already checked or converted to a query name). Explanations
  // are fetched only where `want_explanation` (never inside include, 6.2).
  asio::awaitable<Outcome> evaluate(std::string domain, bool want_explanation) {
    if (out_of_time()) co_return stop(Result::temperror, "SPF evaluation took too long");
    auto txt = co_await dns_.txt(domain);
    if (is_failure(txt.status))
      co_return stop(Result::temperror, "DNS error looking up TXT of " + domain + ": " + txt.error);
    std::vector<std::string_view> spf;
    for (const auto& record : txt.records)
      if (is_spf_record(record)) spf.push_back(record);
    if (spf.empty()) co_return stop(Result::none, "no SPF record at " + domain);
    if (spf.size() > 1) co_return stop(Result::permerror, "more than one SPF record at " + domain);
    auto parsed = parse_record(spf.front());
    if (auto* e = std::get_if<ParseError>(&parsed))
      co_return stop(Result::permerror, "SPF record of " + domain + ": " + e->message);
    const Record record = std::get<Record>(std::move(parsed));

    for (const auto& mechanism : record.mechanisms) {
      Step step = co_await evaluate_mechanism(mechanism, domain);
      if (step.end) co_return std::move(*step.end);
      if (!step.matched) continue;
      Outcome outcome;
      outcome.result = result_of(mechanism.qualifier);
      outcome.mechanism = mechanism.text;
      if (outcome.result == Result::fail && want_explanation && record.explanation)
        outcome.explanation = co_await explain(*record.explanation, domain);
      co_return outcome;
    }

    if (record.redirect) {  // 6.1: only when no mechanism matched
      if (auto e = count_dns_term()) co_return std::move(*e);
      auto target = co_await target_name(*record.redirect, domain);
      if (!target) co_return stop(Result::permerror, "redirect target is not a domain name");
      Outcome outcome = co_await evaluate(*target, want_explanation);
      if (outcome.result == Result::none)
        co_return stop(Result::permerror, "redirect to " + *target + ": " + outcome.problem);
      co_return outcome;
    }
    Outcome outcome;  // 4.7: no match, no redirect
    outcome.result = Result::neutral;
    outcome.mechanism = "default";
    co_return outcome;
  }

 private:
  bool out_of_time() const { return Clock::now() > deadline_; }

  std::optional<Outcome> count_dns_term() {
    if (++dns_terms_ > limits_.dns_terms)
      return stop(Result::permerror, "more than " + std::to_string(limits_.dns_terms) +
                                         " DNS-querying mechanisms");
    if (out_of_time()) return stop(Result::temperror, "SPF evaluation took too long");
    return std::nullopt;
  }

  std::optional<Outcome> count_void() {
    if (++voids_ > limits_.void_lookups)
      return stop(Result::permerror,
                  "more than " + std::to_string(limits_.void_lookups) + " void DNS lookups");
    return std::nullopt;
  }

  MacroContext context(const std::string& domain) const {
    MacroContext ctx;
    ctx.sender = request_.sender;
    ctx.local_part = local_;
    ctx.sender_domain = sender_domain_;
    ctx.domain = domain;
    ctx.ip = ip_;
    ctx.helo = request_.helo;
    ctx.receiver = request_.receiver;
    ctx.timestamp = timestamp_;
    return ctx;
  }

  // Expands `spec` with the facts of `domain`; looks up %{p} first when the spec uses it.
  asio::awaitable<std::optional<std::string>> expand_spec(std::string spec, std::string domain,
                                                          MacroMode mode) {
    MacroContext ctx = context(domain);
    std::string validated;
    if (uses_validated_name(spec, mode)) {
      validated = co_await validated_name(domain);
      ctx.validated_name = validated;
    }
    co_return expand(spec, ctx, mode);
  }

  // The query name of a domain-spec, or nullopt when the expansion is not a DNS name.
  asio::awaitable<std::optional<std::string>> target_name(std::string spec, std::string domain) {
    auto expanded = co_await expand_spec(std::move(spec), std::move(domain), MacroMode::domain);
    if (!expanded) co_return std::nullopt;
    co_return to_query_name(*expanded);
  }

  asio::awaitable<dns::Answer<asio::ip::address>> addresses(std::string name) {
    if (ip_.v6) co_return co_await dns_.aaaa(std::move(name));
    co_return co_await dns_.a(std::move(name));
  }

  bool any_in_network(const std::vector<asio::ip::address>& found, const Mechanism& m) const {
    for (const auto& address : found) {
      const Ip candidate = to_spf_ip(address);
      if (in_network(ip_, candidate, ip_.v6 ? m.cidr6 : m.cidr4)) return true;
    }
    return false;
  }

  asio::awaitable<Step> evaluate_mechanism(const Mechanism& m, const std::string& domain) {
    switch (m.kind) {
      case MechanismKind::all:
        co_return match();
      case MechanismKind::ip4:
      case MechanismKind::ip6:
        co_return in_network(ip_, m.network, m.network.v6 ? m.cidr6 : m.cidr4) ? match()
                                                                              : no_match();
      case MechanismKind::a:
        co_return co_await mechanism_a(m, domain);
      case MechanismKind::mx:
        co_return co_await mechanism_mx(m, domain);
      case MechanismKind::ptr:
        co_return co_await mechanism_ptr(m, domain);
      case MechanismKind::exists:
        co_return co_await mechanism_exists(m, domain);
      case MechanismKind::include:
        co_return co_await mechanism_include(m, domain);
    }
    co_return no_match();
  }

  // The mechanism's target: its domain-spec expanded, or the current domain.
  asio::awaitable<std::optional<std::string>> mechanism_target(const Mechanism& m,
                                                               const std::string& domain) {
    if (m.domain_spec.empty()) co_return domain;
    co_return co_await target_name(m.domain_spec, domain);
  }

  asio::awaitable<Step> mechanism_a(const Mechanism& m, const std::string& domain) {
    if (auto e = count_dns_term()) co_return Step{false, std::move(e)};
    auto target = co_await mechanism_target(m, domain);
    if (!target) co_return no_match();  // not a DNS name: nothing exists there
    auto found = co_await addresses(*target);
    if (is_failure(found.status))
      co_return end_with(Result::temperror, "DNS error in " + m.text + ": " + found.error);
    if (is_void(found.status)) {
      if (auto e = count_void()) co_return Step{false, std::move(e)};
      co_return no_match();
    }
    co_return any_in_network(found.records, m) ? match() : no_match();
  }

  asio::awaitable<Step> mechanism_mx(const Mechanism& m, const std::string& domain) {
    if (auto e = count_dns_term()) co_return Step{false, std::move(e)};
    auto target = co_await mechanism_target(m, domain);
    if (!target) co_return no_match();
    auto mx = co_await dns_.mx(*target);
    if (is_failure(mx.status))
      co_return end_with(Result::temperror, "DNS error in " + m.text + ": " + mx.error);
    if (is_void(mx.status)) {
      if (auto e = count_void()) co_return Step{false, std::move(e)};
      co_return no_match();
    }
    if (static_cast<int>(mx.records.size()) > limits_.mx_names)
      co_return end_with(Result::permerror, m.text + ": more than " +
                                                std::to_string(limits_.mx_names) + " MX names");
    for (const auto& record : mx.records) {
      auto host = to_query_name(record.host);  // the null MX "." has no host
      if (!host) continue;
      if (out_of_time()) co_return end_with(Result::temperror, "SPF evaluation took too long");
      auto found = co_await addresses(*host);
      if (is_failure(found.status))
        co_return end_with(Result::temperror, "DNS error in " + m.text + ": " + found.error);
      if (found.ok() && any_in_network(found.records, m)) co_return match();
    }
    co_return no_match();
  }

  asio::awaitable<Step> mechanism_ptr(const Mechanism& m, const std::string& domain) {
    if (auto e = count_dns_term()) co_return Step{false, std::move(e)};
    auto target = co_await mechanism_target(m, domain);
    if (!target) co_return no_match();
    const std::vector<std::string> names = co_await ptr_names();
    for (const auto& name : names)  // 5.5: validated names ending in the target
      if (is_within(name, *target) && co_await validated(name)) co_return match();
    co_return no_match();
  }

  asio::awaitable<Step> mechanism_exists(const Mechanism& m, const std::string& domain) {
    if (auto e = count_dns_term()) co_return Step{false, std::move(e)};
    auto target = co_await target_name(m.domain_spec, domain);
    if (!target) co_return no_match();
    auto found = co_await dns_.a(*target);  // 5.7: A, whatever the client's family
    if (is_failure(found.status))
      co_return end_with(Result::temperror, "DNS error in " + m.text + ": " + found.error);
    if (is_void(found.status)) {
      if (auto e = count_void()) co_return Step{false, std::move(e)};
      co_return no_match();
    }
    co_return match();
  }

  asio::awaitable<Step> mechanism_include(const Mechanism& m, const std::string& domain) {
    if (auto e = count_dns_term()) co_return Step{false, std::move(e)};
    auto target = co_await target_name(m.domain_spec, domain);
    if (!target) co_return end_with(Result::permerror, m.text + ": target is not a domain name");
    Outcome inner = co_await evaluate(*target, false);
    switch (inner.result) {  // 5.2 table
      case Result::pass: co_return match();
      case Result::fail:
      case Result::softfail:
      case Result::neutral: co_return no_match();
      case Result::temperror: co_return Step{false, std::move(inner)};
      case Result::permerror: co_return Step{false, std::move(inner)};
      case Result::none:
        co_return end_with(Result::permerror, m.text + ": " + inner.problem);
    }
    co_return no_match();
  }

  // The first `ptr_names` PTR names of the client (cached for the whole check). A DNS error
  // gives no names: 5.5 says the mechanism then fails to match.
  asio::awaitable<std::vector<std::string>> ptr_names() {
    if (!ptr_names_) {
      ptr_names_.emplace();
      if (!out_of_time()) {
        // The resolver reverses an IPv4-mapped address under in-addr.arpa.
        auto answer = co_await dns_.ptr(request_.ip);
        if (answer.ok())
          for (auto& name : answer.records) {
            if (static_cast<int>(ptr_names_->size()) >= limits_.ptr_names) break;
            ptr_names_->push_back(std::move(name));
          }
      }
    }
    co_return *ptr_names_;
  }

  // 5.5: a PTR name is validated when one of its addresses (of the client's family) is the
  // client's. Errors mean "not validated".
  asio::awaitable<bool> validated(std::string name) {
    const std::string key = to_lower(name);
    if (auto it = validated_.find(key); it != validated_.end()) co_return it->second;
    bool ok = false;
    if (auto query = to_query_name(name); query && !out_of_time()) {
      auto found = co_await addresses(*query);
      if (found.ok())
        for (const auto& address : found.records)
          if (to_spf_ip(address) == ip_) ok = true;
    }
    validated_[key] = ok;
    co_return ok;
  }

  // 7.3 %{p}: a validated name, preferring <domain> itself, then a subdomain of it.
  asio::awaitable<std::string> validated_name(std::string domain) {
    const std::vector<std::string> names = co_await ptr_names();
    std::string best;
    int best_rank = 3;
    for (const auto& name : names) {
      const int rank = to_lower(name) == to_lower(domain) ? 0 : is_within(name, domain) ? 1 : 2;
      if (rank >= best_rank) continue;
      if (!co_await validated(name)) continue;
      best = name;
      best_rank = rank;
      if (rank == 0) break;
    }
    co_return best.empty() ? std::string("unknown") : best;
  }

  // 6.2: any problem (expansion, DNS, not exactly one TXT record, bad syntax) means "no
  // explanation"; the caller then uses its own default text.
  asio::awaitable<std::string> explain(std::string spec, std::string domain) {
    if (out_of_time()) co_return std::string{};
    auto name = co_await target_name(spec, domain);
    if (!name) co_return std::string{};
    auto txt = co_await dns_.txt(*name);
    if (!txt.ok() || txt.records.size() != 1) co_return std::string{};
    const std::string text = txt.records.front();
    if (!is_valid_macro_string(text, MacroMode::explanation)) co_return std::string{};
    auto expanded = co_await expand_spec(text, domain, MacroMode::explanation);
    co_return expanded.value_or(std::string{});
  }

  dns::Resolver& dns_;
  const Request& request_;
  const Limits& limits_;
  const Ip ip_;
  const Clock::time_point deadline_;
  std::string local_;
  std::string sender_domain_;
  int64_t timestamp_ = 0;
  int dns_terms_ = 0;
  int voids_ = 0;
  std::optional<std::vector<std::string>> ptr_names_;
  std::map<std::string, bool> validated_;
};

Verdict to_verdict(Outcome outcome, const Request& request, Identity identity) {
  Verdict v;
  v.result = outcome.result;
  v.identity = identity;
  v.domain = request.domain;
  v.sender = request.sender;
  v.mechanism = std::move(outcome.mechanism);
  v.explanation = std::move(outcome.explanation);
  v.problem = std::move(outcome.problem);
  return v;
}

}  // namespace

std::string_view to_string(Identity identity) {
  return identity == Identity::helo ? "helo" : "mailfrom";
}

asio::awaitable<Verdict> check_host(dns::Resolver& resolver, Request request, Identity identity,
                                    Limits limits) {
  if (!is_checkable_domain(request.domain)) {  // 4.3
    Outcome none = stop(Result::none, "\"" + request.domain + "\" is not a domain name");
    co_return to_verdict(std::move(none), request, identity);
  }
  if (request.domain.back() == '.') request.domain.pop_back();
  Evaluation evaluation(resolver, request, limits);
  Outcome outcome = co_await evaluation.evaluate(request.domain, true);
  co_return to_verdict(std::move(outcome), request, identity);
}

asio::awaitable<Verdict> check_mail_from(dns::Resolver& resolver, asio::ip::address ip,
                                         std::string mail_from, std::string helo,
                                         std::string receiver, Limits limits) {
  if (mail_from.empty()) {  // 2.4: the null reverse-path is checked as postmaster@HELO
    Verdict v = co_await check_helo(resolver, ip, std::move(helo), std::move(receiver), limits);
    v.identity = Identity::mailfrom;
    co_return v;
  }
  Request request;
  request.ip = ip;
  const std::size_t at = mail_from.rfind('@');
  request.domain = at == std::string::npos ? mail_from : mail_from.substr(at + 1);
  request.sender = at == std::string::npos ? "postmaster@" + mail_from : std::move(mail_from);
  request.helo = std::move(helo);
  request.receiver = std::move(receiver);
  co_return co_await check_host(resolver, std::move(request), Identity::mailfrom, limits);
}

asio::awaitable<Verdict> check_helo(dns::Resolver& resolver, asio::ip::address ip,
                                    std::string helo, std::string receiver, Limits limits) {
  Request request;
  request.ip = ip;
  request.domain = helo;
  request.sender = "postmaster@" + helo;
  request.helo = std::move(helo);
  request.receiver = std::move(receiver);
  co_return co_await check_host(resolver, std::move(request), Identity::helo, limits);
}

}  // namespace postern::spf
