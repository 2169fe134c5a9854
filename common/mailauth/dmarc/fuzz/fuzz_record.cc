// libFuzzer: the DMARC record parser, the From-domain extractor and the tree-walk plan never
// crash, and what they accept keeps the documented bounds.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/mailauth/dmarc/from_domain.h"
#include "common/mailauth/dmarc/record.h"
#include "common/mailauth/dmarc/tree_walk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postern::mailauth::dmarc;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const RecordResult r = parse_record(in);
  if (r.ok() != r.record.has_value()) std::abort();
  if (r.record) {
    const Record& rec = *r.record;
    if (rec.pct < 0 || rec.pct > 100) std::abort();
    if (rec.rua.size() > kMaxUris || rec.ruf.size() > kMaxUris) std::abort();
    if (rec.notes.size() > kMaxNotes) std::abort();
    if (rec.policy_defaulted && rec.rua.empty()) std::abort();
  }
  const FromDomain from = extract_from_domain(in);
  if (from.ok() == from.domain.empty()) std::abort();
  if (from.ok() && tree_walk_targets(from.domain).size() > kMaxTreeWalkLookups) std::abort();
  return 0;
}
