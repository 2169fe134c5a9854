#include "common/mailauth/dmarc/evaluator.h"

#include <map>

#include "common/mailauth/dmarc/text.h"
#include "common/mailauth/dmarc/tree_walk.h"

namespace postern::mailauth::dmarc {
namespace {

namespace asio = boost::asio;

enum class Align { yes, no, unknown };

bool same_or_under(std::string_view name, std::string_view ancestor) {
  if (name == ancestor) return true;
  return name.size() > ancestor.size() && name.ends_with(ancestor) &&
         name[name.size() - ancestor.size() - 1] == '.';
}

// DNS lookups of one evaluation, cached and counted; Organizational Domains by the chosen
// method. Lives in the evaluate() coroutine frame.
class Walker {
 public:
  Walker(dns::Resolver& resolver, const Options& options)
      : resolver_(resolver), options_(options) {}

  int lookups() const { return lookups_; }

  asio::awaitable<RecordLookup> lookup(std::string domain) {
    if (auto it = cache_.find(domain); it != cache_.end()) co_return it->second;
    RecordLookup out;
    if (lookups_ >= kMaxLookups) {
      out.status = LookupStatus::temperror;
      out.detail = "DNS lookup budget exhausted";
      co_return out;
    }
    ++lookups_;
    const dns::Answer<std::string> answer = co_await resolver_.txt("_dmarc." + domain);
    switch (answer.status) {
      case dns::Status::ok:
        out = select_record(answer.records);
        break;
      case dns::Status::nxdomain:
      case dns::Status::nodata:
        out.detail = "no DMARC record";
        break;
      case dns::Status::temperror:
        out.status = LookupStatus::temperror;
        out.detail = "DNS error: " + answer.error;
        break;
      case dns::Status::permerror:
        // A malformed answer or an unusable name: nothing a retry would fix, and no record.
        out.detail = "DNS permanent error: " + answer.error;
        break;
    }
    cache_.emplace(domain, out);
    co_return out;
  }

  // nullopt when DNS failed temporarily (tree walk only).
  asio::awaitable<std::optional<std::string>> org_domain(std::string domain) {
    if (auto it = orgs_.find(domain); it != orgs_.end()) co_return it->second;
    std::string org;
    if (options_.method == OrgDomainMethod::psl) {
      org = options_.psl->organizational_domain(domain);
      if (org.empty()) org = domain;  // the name is itself a public suffix
    } else {
      // Plain statements around co_await: GCC 12 miscompiles a co_await inside a braced
      // initializer (double free).
      const std::vector<std::string> targets = tree_walk_targets(domain);
      std::vector<WalkStep> steps;
      for (const std::string& target : targets) {
        RecordLookup found = co_await lookup(target);
        if (found.status == LookupStatus::temperror) co_return std::nullopt;
        WalkStep step;
        step.domain = target;
        step.lookup = std::move(found);
        const bool end = ends_org_walk(step, steps.empty());
        steps.push_back(std::move(step));
        if (end) break;
      }
      org = select_org_domain(domain, steps);
    }
    orgs_.emplace(domain, org);
    co_return org;
  }

  // Is `auth` aligned with `from` in `mode`? unknown when an Organizational Domain could not
  // be determined.
  asio::awaitable<Align> align(std::string auth, std::string from, AlignmentMode mode) {
    auth = dns_domain(auth);
    if (auth.empty()) co_return Align::no;
    if (auth == from) co_return Align::yes;
    if (mode == AlignmentMode::strict) co_return Align::no;
    const std::optional<std::string> from_org = co_await org_domain(from);
    if (!from_org) co_return Align::unknown;
    // An Organizational Domain is the name itself or an ancestor, so equal ones need `auth`
    // at or under the From's: no DNS for unrelated domains.
    if (!same_or_under(auth, *from_org)) co_return Align::no;
    const std::optional<std::string> auth_org = co_await org_domain(auth);
    if (!auth_org) co_return Align::unknown;
    co_return aligned(auth, *auth_org, from, *from_org, mode) ? Align::yes : Align::no;
  }

  std::string known_org(const std::string& domain) const {
    const auto it = orgs_.find(domain);
    return it == orgs_.end() ? std::string() : it->second;
  }

 private:
  dns::Resolver& resolver_;
  const Options& options_;
  int lookups_ = 0;
  std::map<std::string, RecordLookup> cache_;
  std::map<std::string, std::string> orgs_;
};

}  // namespace

asio::awaitable<Evaluation> evaluate(dns::Resolver& resolver, Inputs inputs, Options options) {
  Evaluation ev;
  ev.from_domain = dns_domain(inputs.from_domain);
  if (ev.from_domain.empty()) {
    ev.reason = "no From domain to evaluate";
    co_return ev;
  }
  if (options.method == OrgDomainMethod::psl && options.psl == nullptr) {
    ev.result = Result::permerror;
    ev.reason = "no Public Suffix List loaded";
    co_return ev;
  }
  if (!options.percent) options.percent = random_percent;
  Walker walker(resolver, options);
  const std::string& from = ev.from_domain;

  // 1. Policy discovery (RFC 7489 6.6.3 / DMARCbis tree walk): the first usable record wins.
  std::vector<std::string> targets;
  if (options.method == OrgDomainMethod::psl) {
    targets.push_back(from);
    const std::optional<std::string> org = co_await walker.org_domain(from);
    if (*org != from) targets.push_back(*org);
  } else {
    targets = tree_walk_targets(from);
  }
  for (const std::string& target : targets) {
    RecordLookup found = co_await walker.lookup(target);
    if (found.status == LookupStatus::none) continue;
    if (found.status == LookupStatus::found) {
      ev.policy_domain = target;
      ev.record = std::move(found.record);
      break;
    }
    ev.result = found.status == LookupStatus::temperror ? Result::temperror : Result::permerror;
    ev.reason = "_dmarc." + target + ": " + found.detail;
    ev.dns_lookups = walker.lookups();
    co_return ev;
  }
  if (!ev.record) {
    ev.reason = "no DMARC record for " + from;
    ev.dns_lookups = walker.lookups();
    co_return ev;
  }
  ev.scope = ev.policy_domain == from ? PolicyScope::domain : PolicyScope::subdomain;

  // 2. Alignment (RFC 7489 3.1, 4.2): SPF only when it passed, DKIM per passing signature.
  // An identifier that failed temporarily, or whose alignment DNS could not settle, makes
  // the result temperror when nothing else passes: a retry may pass.
  bool maybe = false;
  const Record& record = *ev.record;
  const SpfInput& spf = inputs.spf;
  if (spf.result == SpfResult::pass || spf.result == SpfResult::temperror) {
    const Align a = co_await walker.align(spf.domain, from, record.aspf);
    if (spf.result == SpfResult::pass && a == Align::yes) ev.spf_aligned = true;
    else if (a != Align::no) maybe = true;
  }
  const std::size_t n_dkim = std::min(inputs.dkim.size(), kMaxDkimInputs);
  for (std::size_t i = 0; i < n_dkim && !ev.dkim_aligned; ++i) {
    const DkimInput& sig = inputs.dkim[i];
    if (sig.result != DkimResult::pass && sig.result != DkimResult::temperror) continue;
    const Align a = co_await walker.align(sig.domain, from, record.adkim);
    if (sig.result == DkimResult::pass && a == Align::yes) {
      ev.dkim_aligned = true;
      ev.dkim_aligned_domain = dns_domain(sig.domain);
    } else if (a != Align::no) {
      maybe = true;
    }
  }
  if (ev.spf_aligned || ev.dkim_aligned) {
    ev.result = Result::pass;
    ev.reason = ev.dkim_aligned ? "aligned DKIM pass (" + ev.dkim_aligned_domain + ")"
                                : "aligned SPF pass (" + dns_domain(spf.domain) + ")";
  } else if (maybe) {
    ev.result = Result::temperror;
    ev.reason = "no aligned pass; a temporary error may hide one";
  } else {
    ev.result = Result::fail;
    ev.reason = "no aligned SPF or DKIM pass";
  }

  // 3. DMARCbis np: a From domain that does not exist (NXDOMAIN) under a policy domain. A
  // temporary failure here leaves sp/p in force: the name is not known not to exist.
  int existence_lookups = 0;
  if (ev.result == Result::fail && ev.scope == PolicyScope::subdomain && record.np) {
    ++existence_lookups;
    const dns::Answer<boost::asio::ip::address> a = co_await resolver.a(from);
    if (a.status == dns::Status::nxdomain) ev.scope = PolicyScope::non_existent;
  }
  ev.disposition = decide(ev.result, record, ev.scope, options.percent);
  ev.org_domain = walker.known_org(from);
  ev.dns_lookups = walker.lookups() + existence_lookups;
  co_return ev;
}

}  // namespace postern::mailauth::dmarc
