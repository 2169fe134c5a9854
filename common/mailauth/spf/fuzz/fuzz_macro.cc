// libFuzzer target for the SPF macro expander: any macro-string in every mode, no crash,
// output within kMaxExpansion, and validity agrees with expandability.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/mailauth/spf/domain.h"
#include "common/mailauth/spf/macro.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postern::spf;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  MacroContext ctx;
  ctx.sender = "strong-bad@email.example.com";
  ctx.local_part = "strong-bad";
  ctx.sender_domain = "email.example.com";
  ctx.domain = "email.example.com";
  ctx.ip = *parse_ip(size % 2 ? "2001:db8::cb01" : "192.0.2.3");
  ctx.validated_name = "mx.example.org";
  ctx.helo = input.substr(0, 64);  // untrusted HELO text flows into expansions too
  ctx.receiver = "receiver.example";
  ctx.timestamp = 1700000000;
  for (MacroMode mode : {MacroMode::domain, MacroMode::explanation, MacroMode::modifier}) {
    const bool valid = is_valid_macro_string(input, mode);
    const auto out = expand(input, ctx, mode);
    if (out && (!valid || out->size() > kMaxExpansion)) std::abort();
    (void)uses_validated_name(input, mode);
  }
  if (auto out = expand(input, ctx, MacroMode::domain)) {
    if (auto name = to_query_name(*out); name && name->size() > 253) std::abort();
  }
  (void)is_valid_domain_spec(input);
  (void)is_checkable_domain(input);
  (void)parse_ip(input);
  return 0;
}
