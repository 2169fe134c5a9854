// Record selection and the DMARCbis DNS tree walk, as pure functions over lookup results.
//
// The tree walk (DMARCbis "DNS Tree Walk", in the revision that allows 8 lookups): query the
// From domain itself; then, when it has 8 or more labels, jump to its last 7 labels, otherwise
// drop the left-most label; then drop one label at a time down to the TLD. At most
// kMaxTreeWalkLookups names, whatever the input (a 127-label name costs 8 lookups, not 127).
// Policy discovery stops at the first usable record; the Organizational Domain selection
// (select_org_domain) continues until a record with psd=n, or psd=y below the start.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/mailauth/dmarc/record.h"

namespace postern::mailauth::dmarc {

inline constexpr std::size_t kMaxTreeWalkLookups = 8;
inline constexpr std::size_t kMaxTxtRecords = 32;  // more TXT records at one name: ignored

enum class LookupStatus {
  found,      // exactly one DMARC record, valid
  none,       // no DMARC record (NXDOMAIN, NODATA, only non-DMARC TXT, or several: 6.6.3)
  invalid,    // exactly one DMARC record and it is unusable (invalid_policy, too_long)
  temperror,  // DNS could not answer; the caller may retry later
};
const char* to_string(LookupStatus);

struct RecordLookup {
  LookupStatus status = LookupStatus::none;
  std::optional<Record> record;  // set when found
  std::string detail;            // why none/invalid/temperror
};

// RFC 7489 6.6.3 steps 3-4 over the TXT records at one _dmarc name: records not starting with
// v=DMARC1 are discarded; several DMARC records count as none.
RecordLookup select_record(const std::vector<std::string>& txt_records);

// The names (without "_dmarc.") the tree walk queries, in order. `domain` is a normalised DNS
// name (see dns_domain() in from_domain.h); the result is empty when it is empty.
std::vector<std::string> tree_walk_targets(std::string_view domain);

struct WalkStep {
  std::string domain;  // the target (without "_dmarc.")
  RecordLookup lookup;
};

// True when this step ends the Organizational Domain walk: a record with psd=n, or a record
// with psd=y that is not at the start domain.
bool ends_org_walk(const WalkStep& step, bool is_start);

// DMARCbis Organizational Domain from the steps taken (in walk order, from `start` upward):
// the first record with psd=n; else, for the first record with psd=y above `start`, the
// domain one label below it; else the valid record with the fewest labels; else `start`.
std::string select_org_domain(std::string_view start, const std::vector<WalkStep>& steps);

}  // namespace postern::mailauth::dmarc
