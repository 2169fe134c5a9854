// libFuzzer: lines never exceed 998 octets and never contain CR or LF.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/smtp/codec/line_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postern::smtp::codec;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  LineReader reader;
  while (!in.empty()) {
    auto r = reader.feed(in.substr(0, 7));
    if (r.consumed == 0) abort();
    in.remove_prefix(r.consumed);
    if (r.event && (r.event->text.size() > 998 ||
                    r.event->text.find_first_of("\r\n") != std::string::npos))
      abort();
  }
  return 0;
}
