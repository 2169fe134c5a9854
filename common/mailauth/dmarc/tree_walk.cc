#include "common/mailauth/dmarc/tree_walk.h"

namespace postern::mailauth::dmarc {
namespace {

std::size_t label_count(std::string_view d) {
  if (d.empty()) return 0;
  std::size_t n = 1;
  for (char c : d) n += (c == '.');
  return n;
}

// The last `n` labels of `d` (all of it when it has fewer; "" for n == 0).
std::string_view last_labels(std::string_view d, std::size_t n) {
  if (n == 0) return {};
  std::size_t seen = 0;
  for (std::size_t i = d.size(); i-- > 0;) {
    if (d[i] == '.' && ++seen == n) return d.substr(i + 1);
  }
  return d;
}

}  // namespace

const char* to_string(LookupStatus s) {
  switch (s) {
    case LookupStatus::found: return "found";
    case LookupStatus::none: return "none";
    case LookupStatus::invalid: return "invalid";
    case LookupStatus::temperror: return "temperror";
  }
  return "none";
}

RecordLookup select_record(const std::vector<std::string>& txt_records) {
  RecordLookup out;
  const std::string* only = nullptr;
  std::size_t dmarc = 0;
  const std::size_t n = txt_records.size() < kMaxTxtRecords ? txt_records.size() : kMaxTxtRecords;
  for (std::size_t i = 0; i < n; ++i) {
    if (!starts_with_dmarc_version(txt_records[i])) continue;
    ++dmarc;
    only = &txt_records[i];
  }
  if (dmarc == 0) {
    out.detail = "no DMARC record";
    return out;
  }
  if (dmarc > 1) {
    out.detail = "several DMARC records";
    return out;
  }
  RecordResult parsed = parse_record(*only);
  if (!parsed.ok()) {
    out.status = LookupStatus::invalid;
    out.detail = parsed.detail;
    return out;
  }
  out.status = LookupStatus::found;
  out.record = std::move(parsed.record);
  return out;
}

std::vector<std::string> tree_walk_targets(std::string_view domain) {
  std::vector<std::string> targets;
  const std::size_t labels = label_count(domain);
  if (labels == 0) return targets;
  targets.emplace_back(domain);
  std::size_t next = labels >= kMaxTreeWalkLookups ? kMaxTreeWalkLookups - 1 : labels - 1;
  for (; next >= 1; --next) targets.emplace_back(last_labels(domain, next));
  return targets;
}

bool ends_org_walk(const WalkStep& step, bool is_start) {
  if (step.lookup.status != LookupStatus::found) return false;
  const PsdFlag psd = step.lookup.record->psd;
  return psd == PsdFlag::no || (psd == PsdFlag::yes && !is_start);
}

std::string select_org_domain(std::string_view start, const std::vector<WalkStep>& steps) {
  std::string fewest;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const WalkStep& step = steps[i];
    if (step.lookup.status != LookupStatus::found) continue;
    const PsdFlag psd = step.lookup.record->psd;
    if (psd == PsdFlag::no) return step.domain;
    if (psd == PsdFlag::yes && i > 0) {
      return std::string(last_labels(start, label_count(step.domain) + 1));
    }
    fewest = step.domain;
  }
  return fewest.empty() ? std::string(start) : fewest;
}

}  // namespace postern::mailauth::dmarc
