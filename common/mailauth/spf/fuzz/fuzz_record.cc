// libFuzzer target for the SPF record parser: any bytes, no crash, and what it accepts obeys
// the record contract (only known mechanisms, CIDR lengths in range, valid domain-specs).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/mailauth/spf/macro.h"
#include "common/mailauth/spf/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postern::spf;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)is_spf_record(input);
  const auto parsed = parse_record(input);
  if (const auto* record = std::get_if<Record>(&parsed)) {
    if (!is_spf_record(input) || input.size() > kMaxRecordSize) std::abort();
    for (const auto& m : record->mechanisms) {
      if (m.cidr4 < 0 || m.cidr4 > 32 || m.cidr6 < 0 || m.cidr6 > 128) std::abort();
      if (!m.domain_spec.empty() && !is_valid_domain_spec(m.domain_spec)) std::abort();
      if (m.text.empty()) std::abort();
    }
    if (record->redirect && !is_valid_domain_spec(*record->redirect)) std::abort();
    if (record->explanation && !is_valid_domain_spec(*record->explanation)) std::abort();
  }
  return 0;
}
