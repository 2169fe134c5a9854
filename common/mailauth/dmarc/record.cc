#include "common/mailauth/dmarc/record.h"

#include <limits>

#include "common/mailauth/dmarc/text.h"

namespace postern::mailauth::dmarc {
namespace {

using text::digit;
using text::iequals;
using text::trim_wsp;

void note(Record& r, std::string message) {
  if (r.notes.size() < kMaxNotes) r.notes.push_back(std::move(message));
}

std::optional<Policy> parse_policy(std::string_view v) {
  if (iequals(v, "none")) return Policy::none;
  if (iequals(v, "quarantine")) return Policy::quarantine;
  if (iequals(v, "reject")) return Policy::reject;
  return std::nullopt;
}

std::optional<AlignmentMode> parse_alignment(std::string_view v) {
  if (iequals(v, "r")) return AlignmentMode::relaxed;
  if (iequals(v, "s")) return AlignmentMode::strict;
  return std::nullopt;
}

// 1*DIGIT with an upper bound; nullopt on anything else (including overflow).
std::optional<uint64_t> parse_number(std::string_view v, uint64_t max) {
  if (v.empty() || v.size() > 20) return std::nullopt;
  uint64_t n = 0;
  for (char c : v) {
    if (!digit(c)) return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (n > (max - d) / 10) return std::nullopt;
    n = n * 10 + d;
  }
  return n;
}

// Splits `v` at `sep`, trimming WSP around each item (ABNF: *WSP sep *WSP).
template <typename F>
void for_each_item(std::string_view v, char sep, F&& f) {
  std::size_t start = 0;
  while (true) {
    const std::size_t end = v.find(sep, start);
    f(trim_wsp(v.substr(start, end == std::string_view::npos ? std::string_view::npos
                                                              : end - start)));
    if (end == std::string_view::npos) return;
    start = end + 1;
  }
}

// RFC 3986 scheme ":" followed by at least one printable, non-space ASCII character. Commas
// and "!" inside a DMARC URI must be percent-encoded (6.2), so they cannot appear here.
bool valid_uri(std::string_view u) {
  const std::size_t colon = u.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == u.size()) return false;
  if (!text::alpha(u[0])) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    const char c = u[i];
    if (!text::alpha(c) && !digit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (char c : u.substr(colon + 1)) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7f) return false;
  }
  return true;
}

// dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]
std::optional<ReportUri> parse_uri(std::string_view item) {
  ReportUri out;
  const std::size_t bang = item.find('!');
  const std::string_view uri = item.substr(0, bang);
  if (!valid_uri(uri)) return std::nullopt;
  out.uri = std::string(uri);
  if (bang == std::string_view::npos) return out;
  std::string_view size = item.substr(bang + 1);
  unsigned shift = 0;
  if (!size.empty() && !digit(size.back())) {
    switch (text::lower(size.back())) {
      case 'k': shift = 10; break;
      case 'm': shift = 20; break;
      case 'g': shift = 30; break;
      case 't': shift = 40; break;
      default: return std::nullopt;
    }
    size.remove_suffix(1);
  }
  const auto n = parse_number(size, std::numeric_limits<uint64_t>::max() >> shift);
  if (!n) return std::nullopt;
  out.max_bytes = *n << shift;
  return out;
}

std::vector<ReportUri> parse_uri_list(std::string_view tag, std::string_view v, Record& r) {
  std::vector<ReportUri> uris;
  for_each_item(v, ',', [&](std::string_view item) {
    auto uri = parse_uri(item);
    if (!uri) {
      note(r, std::string(tag) + ": invalid URI ignored");
    } else if (uris.size() >= kMaxUris) {
      note(r, std::string(tag) + ": more than 16 URIs, rest ignored");
    } else {
      uris.push_back(std::move(*uri));
    }
  });
  return uris;
}

std::optional<FailureOptions> parse_fo(std::string_view v) {
  FailureOptions fo{false, false, false, false};
  bool ok = true;
  for_each_item(v, ':', [&](std::string_view item) {
    if (item == "0") fo.all_fail = true;
    else if (item == "1") fo.any_fail = true;
    else if (iequals(item, "d")) fo.dkim = true;
    else if (iequals(item, "s")) fo.spf = true;
    else ok = false;
  });
  if (!ok) return std::nullopt;
  return fo;
}

std::optional<std::vector<std::string>> parse_rf(std::string_view v) {
  std::vector<std::string> formats;
  bool ok = true;
  for_each_item(v, ':', [&](std::string_view item) {
    if (item.empty() || formats.size() >= kMaxUris) {
      ok = false;
      return;
    }
    for (char c : item) {
      if (!text::alpha(c) && !digit(c) && c != '-') ok = false;
    }
    formats.push_back(text::to_lower(item));
  });
  if (!ok) return std::nullopt;
  return formats;
}

std::optional<bool> parse_yes_no(std::string_view v) {
  if (iequals(v, "y")) return true;
  if (iequals(v, "n")) return false;
  return std::nullopt;
}

// One tag of the record, after v. Tags seen earlier are filtered out by the caller.
struct PolicyTags {
  bool p_seen = false, p_valid = false, sp_invalid = false;
};

void apply_tag(std::string_view name, std::string_view value, Record& r, PolicyTags& pt) {
  const std::string tag = text::to_lower(name);
  auto invalid = [&] { note(r, tag + ": invalid value, default used"); };
  if (tag == "p") {
    pt.p_seen = true;
    if (auto p = parse_policy(value)) {
      r.p = *p;
      pt.p_valid = true;
    }
  } else if (tag == "sp") {
    if (auto p = parse_policy(value)) r.sp = *p;
    else pt.sp_invalid = true;
  } else if (tag == "np") {
    if (auto p = parse_policy(value)) r.np = *p;
    else invalid();
  } else if (tag == "pct") {
    if (auto n = parse_number(value, 100)) r.pct = static_cast<int>(*n);
    else invalid();
  } else if (tag == "adkim" || tag == "aspf") {
    if (auto m = parse_alignment(value)) (tag == "adkim" ? r.adkim : r.aspf) = *m;
    else invalid();
  } else if (tag == "rua") {
    r.rua = parse_uri_list(tag, value, r);
  } else if (tag == "ruf") {
    r.ruf = parse_uri_list(tag, value, r);
  } else if (tag == "fo") {
    if (auto fo = parse_fo(value)) r.fo = *fo;
    else invalid();
  } else if (tag == "rf") {
    if (auto rf = parse_rf(value)) r.rf = std::move(*rf);
    else invalid();
  } else if (tag == "ri") {
    if (auto n = parse_number(value, std::numeric_limits<uint32_t>::max())) {
      r.ri = static_cast<uint32_t>(*n);
    } else {
      invalid();
    }
  } else if (tag == "t") {
    if (auto t = parse_yes_no(value)) r.testing = *t;
    else invalid();
  } else if (tag == "psd") {
    if (auto y = parse_yes_no(value)) r.psd = *y ? PsdFlag::yes : PsdFlag::no;
    else if (iequals(value, "u")) r.psd = PsdFlag::unset;
    else invalid();
  }
  // Unknown tags are ignored (6.3: "MUST be ignored").
}

bool valid_tag_name(std::string_view name) {
  if (name.empty() || !text::alpha(name[0])) return false;
  for (char c : name) {
    if (!text::alpha(c) && !digit(c) && c != '_') return false;
  }
  return true;
}

}  // namespace

const char* to_string(Policy p) {
  switch (p) {
    case Policy::none: return "none";
    case Policy::quarantine: return "quarantine";
    case Policy::reject: return "reject";
  }
  return "none";
}

const char* to_string(AlignmentMode m) { return m == AlignmentMode::strict ? "s" : "r"; }

const char* to_string(RecordError e) {
  switch (e) {
    case RecordError::none: return "none";
    case RecordError::too_long: return "too_long";
    case RecordError::not_dmarc: return "not_dmarc";
    case RecordError::invalid_policy: return "invalid_policy";
  }
  return "unknown";
}

bool starts_with_dmarc_version(std::string_view t) {
  t = text::trim_wsp(t.substr(0, t.find(';')));
  if (t.empty() || text::lower(t[0]) != 'v') return false;
  t = trim_wsp(t.substr(1));
  if (t.empty() || t[0] != '=') return false;
  return trim_wsp(t.substr(1)) == "DMARC1";
}

RecordResult parse_record(std::string_view input) {
  RecordResult result;
  if (input.size() > kMaxRecordBytes) {
    result.error = RecordError::too_long;
    result.detail = "record longer than " + std::to_string(kMaxRecordBytes) + " bytes";
    return result;
  }
  if (!starts_with_dmarc_version(input)) {
    result.error = RecordError::not_dmarc;
    result.detail = "record does not start with v=DMARC1";
    return result;
  }
  Record r;
  PolicyTags pt;
  std::vector<std::string> seen;
  std::size_t start = input.find(';');
  while (start != std::string_view::npos) {
    const std::size_t end = input.find(';', start + 1);
    const std::string_view spec = trim_wsp(input.substr(
        start + 1, end == std::string_view::npos ? std::string_view::npos : end - start - 1));
    start = end;
    if (spec.empty()) continue;  // "; ;" or a trailing ";"
    const std::size_t eq = spec.find('=');
    const std::string_view name = trim_wsp(spec.substr(0, eq));
    if (eq == std::string_view::npos || !valid_tag_name(name)) {
      note(r, "tag-spec without a valid name ignored");
      continue;
    }
    const std::string lname = text::to_lower(name);
    bool repeated = false;
    for (const auto& s : seen) repeated = repeated || s == lname;
    if (repeated || lname == "v") {
      note(r, lname + ": repeated tag ignored");
      continue;
    }
    if (seen.size() < 64) seen.push_back(lname);
    apply_tag(name, trim_wsp(spec.substr(eq + 1)), r, pt);
  }
  if (!pt.p_valid || pt.sp_invalid) {
    if (r.rua.empty()) {
      result.error = RecordError::invalid_policy;
      result.detail = !pt.p_seen ? "no p tag" : (!pt.p_valid ? "invalid p" : "invalid sp");
      result.detail += " and no valid rua URI";
      return result;
    }
    // 6.6.3 step 6: act as if p=none was retrieved.
    // A broken policy never leads to enforcement: every policy tag becomes none.
    r.policy_defaulted = true;
    r.p = Policy::none;
    r.sp = Policy::none;
    if (r.np) r.np = Policy::none;
    note(r, !pt.p_valid ? "p missing or invalid: treated as none" : "sp invalid: treated as none");
  }
  result.record = std::move(r);
  return result;
}

}  // namespace postern::mailauth::dmarc
