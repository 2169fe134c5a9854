// libFuzzer: the DKIM record parsers and canonicalizers never crash, stay within their caps,
// and the streaming body canonicalizer gives the same octets however the body is split.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/mailauth/dkim/canonicalize.h"
#include "common/mailauth/dkim/key_record.h"
#include "common/mailauth/dkim/limits.h"
#include "common/mailauth/dkim/signature.h"
#include "common/mailauth/dkim/tag_list.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postern::mailauth::dkim;
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  const TagList tags = parse_tag_list(in);
  if (tags.ok() && tags.tags.size() > kMaxTags) abort();
  for (const Tag& t : tags.tags) {
    // Views must lie inside the input.
    if (t.name.data() < in.data() || t.value.data() + t.value.size() > in.data() + in.size()) {
      abort();
    }
  }
  const SignatureParse sig = parse_signature(in);
  if (sig.ok() && (sig.signature.signed_headers.size() > kMaxSignedHeaders ||
                   sig.signature.domain.size() > kMaxDomainBytes)) {
    abort();
  }
  (void)check_times(sig.signature, static_cast<int64_t>(size) * 1000003, 300);
  (void)parse_key_record(in);

  for (Canon canon : {Canon::simple, Canon::relaxed}) {
    (void)canonicalize_header(canon, in);
    const std::string whole = canonicalize_body(canon, in);
    std::string pieces;
    BodyCanonicalizer c(canon);
    const std::size_t step = size % 7 + 1;
    for (std::size_t i = 0; i < in.size(); i += step) c.update(in.substr(i, step), pieces);
    c.finish(pieces);
    if (pieces != whole) abort();
  }
  return 0;
}
