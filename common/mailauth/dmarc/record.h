// DMARC policy records (RFC 7489 6.3, 6.6.3; DMARCbis tags np, t, psd): a pure parser over the
// bytes of one TXT record.
//
// SECURITY: the record comes from DNS, controlled by whoever owns the sender's domain. The
// parser never throws, reads nothing outside the input, refuses records over kMaxRecordBytes
// and keeps at most kMaxUris report URIs per list and kMaxNotes notes.
//
// Contract, following RFC 7489 6.3 and 6.6.3:
//   * "v=DMARC1" must be the first tag, with exactly that (case-sensitive) value; otherwise the
//     text is not a DMARC record at all (error not_dmarc: discovery discards such records).
//   * tag names and keyword values are case-insensitive; unknown tags are ignored.
//   * an invalid value of any other tag, a tag-spec without "=", a repeated tag (after the
//     first) are dropped in favour of the default (a note says so): 6.3 says syntax errors
//     in the remainder of the record are discarded in favour of default values.
//   * a missing or invalid p, or an invalid sp: when rua holds at least one valid URI the
//     record is used as if p=none (p, sp and np all become none: a broken policy never
//     leads to enforcement), `policy_defaulted` says so; otherwise the record is invalid_policy and no DMARC policy
//     applies (RFC 7489 11: the result is permerror).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mailauth::dmarc {

inline constexpr std::size_t kMaxRecordBytes = 4096;
inline constexpr std::size_t kMaxUris = 16;
inline constexpr std::size_t kMaxNotes = 16;

enum class Policy { none, quarantine, reject };
const char* to_string(Policy);

enum class AlignmentMode { relaxed, strict };
const char* to_string(AlignmentMode);

// DMARCbis psd tag: y = this is a public suffix domain, n = this is an organizational domain.
enum class PsdFlag { unset, yes, no };

// One rua/ruf entry: "mailto:agg@example.com!10m" -> uri "mailto:agg@example.com",
// max_bytes 10485760. No suffix means no limit.
struct ReportUri {
  std::string uri;
  std::optional<uint64_t> max_bytes;
  bool operator==(const ReportUri&) const = default;
};

// fo= (RFC 7489 6.3): which failures deserve a failure report.
struct FailureOptions {
  bool all_fail = true;   // "0": every mechanism failed to produce an aligned pass (default)
  bool any_fail = false;  // "1": any mechanism failed to produce an aligned pass
  bool dkim = false;      // "d": a DKIM signature failed, aligned or not
  bool spf = false;       // "s": SPF failed, aligned or not
  bool operator==(const FailureOptions&) const = default;
};

struct Record {
  Policy p = Policy::none;
  std::optional<Policy> sp;  // subdomains; absent: p applies
  std::optional<Policy> np;  // DMARCbis: non-existent subdomains; absent: sp, then p applies
  int pct = 100;             // 0..100
  AlignmentMode adkim = AlignmentMode::relaxed;
  AlignmentMode aspf = AlignmentMode::relaxed;
  std::vector<ReportUri> rua;
  std::vector<ReportUri> ruf;
  FailureOptions fo;
  std::vector<std::string> rf{"afrf"};  // report formats, lower-case
  uint32_t ri = 86400;                  // aggregate report interval, seconds
  bool testing = false;                 // DMARCbis t=y
  PsdFlag psd = PsdFlag::unset;
  // p (or sp) was missing or invalid and rua had a valid URI: treated as none (6.6.3 step 6).
  bool policy_defaulted = false;
  // Tags that were ignored or fell back to their default, for logs ("pct: not 0..100").
  std::vector<std::string> notes;
};

enum class RecordError {
  none,
  too_long,        // over kMaxRecordBytes
  not_dmarc,       // does not start with v=DMARC1
  invalid_policy,  // p missing/invalid or sp invalid, and no valid rua URI
};
const char* to_string(RecordError);

struct RecordResult {
  std::optional<Record> record;  // set exactly when error == none
  RecordError error = RecordError::none;
  std::string detail;            // what was wrong, for logs
  bool ok() const { return error == RecordError::none; }
};

RecordResult parse_record(std::string_view text);

// Cheap pre-filter used by discovery (RFC 7489 6.6.3 step 3): does the text start with a
// "v=DMARC1" tag (optional WSP around "=", followed by end, WSP or ";")?
bool starts_with_dmarc_version(std::string_view text);

}  // namespace postern::mailauth::dmarc
