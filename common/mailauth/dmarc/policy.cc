#include "common/mailauth/dmarc/policy.h"

#include <random>

#include "common/mailauth/dmarc/text.h"

namespace postern::mailauth::dmarc {
namespace {

Policy milder(Policy p) { return p == Policy::reject ? Policy::quarantine : Policy::none; }

std::string_view without_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

}  // namespace

const char* to_string(Result r) {
  switch (r) {
    case Result::none: return "none";
    case Result::pass: return "pass";
    case Result::fail: return "fail";
    case Result::temperror: return "temperror";
    case Result::permerror: return "permerror";
  }
  return "none";
}

const char* to_string(SpfResult r) {
  switch (r) {
    case SpfResult::none: return "none";
    case SpfResult::neutral: return "neutral";
    case SpfResult::pass: return "pass";
    case SpfResult::fail: return "fail";
    case SpfResult::softfail: return "softfail";
    case SpfResult::temperror: return "temperror";
    case SpfResult::permerror: return "permerror";
  }
  return "none";
}

const char* to_string(DkimResult r) {
  switch (r) {
    case DkimResult::none: return "none";
    case DkimResult::pass: return "pass";
    case DkimResult::fail: return "fail";
    case DkimResult::policy: return "policy";
    case DkimResult::neutral: return "neutral";
    case DkimResult::temperror: return "temperror";
    case DkimResult::permerror: return "permerror";
  }
  return "none";
}

bool aligned(std::string_view auth_domain, std::string_view auth_org,
             std::string_view from_domain, std::string_view from_org, AlignmentMode mode) {
  auth_domain = without_dot(auth_domain);
  from_domain = without_dot(from_domain);
  if (auth_domain.empty() || from_domain.empty()) return false;
  if (mode == AlignmentMode::strict) return text::iequals(auth_domain, from_domain);
  auth_org = without_dot(auth_org);
  from_org = without_dot(from_org);
  return !auth_org.empty() && text::iequals(auth_org, from_org);
}

Policy requested_policy(const Record& record, PolicyScope scope) {
  switch (scope) {
    case PolicyScope::domain: return record.p;
    case PolicyScope::subdomain: return record.sp.value_or(record.p);
    case PolicyScope::non_existent: return record.np.value_or(record.sp.value_or(record.p));
  }
  return record.p;
}

int random_percent() {
  thread_local std::mt19937 generator{std::random_device{}()};
  return std::uniform_int_distribution<int>(0, 99)(generator);
}

Disposition decide(Result result, const Record& record, PolicyScope scope,
                   const PercentSource& percent) {
  Disposition d;
  d.requested = requested_policy(record, scope);
  if (result != Result::fail) {
    d.reason = std::string("dmarc=") + to_string(result) + ": no policy applied";
    return d;
  }
  d.apply = d.requested;
  d.reason = std::string("policy ") + to_string(d.requested);
  if (d.apply == Policy::none) return d;
  if (record.pct < 100 && (record.pct <= 0 || percent() >= record.pct)) {
    d.sampled_out = true;
    d.reason += ", sampled out by pct=" + std::to_string(record.pct);
  }
  if (record.testing) {
    d.testing = true;
    d.reason += ", testing (t=y)";
  }
  // pct sampling and t=y are the same signal (DMARCbis replaced pct by t): one step milder,
  // not two, when both are present.
  if (d.sampled_out || d.testing) d.apply = milder(d.apply);
  d.reason += std::string(": apply ") + to_string(d.apply);
  return d;
}

}  // namespace postern::mailauth::dmarc
