// libFuzzer target for the RFC 5322 header helpers: any input, no crash, and the contracts of
// headers.h hold (views stay inside the input, unfolded values carry no CR/LF).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/mime/headers.h"

namespace {
bool inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() &&
                          part.data() + part.size() <= whole.data() + whole.size());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto split = postern::mime::split_header_block(input);
  if (!inside(split.headers, input) || !inside(split.body, input)) std::abort();
  for (const auto& field : postern::mime::parse_fields(split.headers)) {
    if (!inside(field.raw, split.headers) || field.name.empty()) std::abort();
    const std::string value = postern::mime::unfold(field.raw_value);
    if (value.find_first_of("\r\n") != std::string::npos) std::abort();
  }
  (void)postern::mime::find_field(split.headers, "Message-ID");
  return 0;
}
