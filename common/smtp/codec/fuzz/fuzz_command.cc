// libFuzzer: parse_command and parse_path never crash, and accepted paths stay within limits.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/smtp/codec/command.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postern::smtp::codec;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)parse_command(in, ParseContext{size % 2 == 0});
  for (PathKind kind : {PathKind::reverse, PathKind::forward}) {
    const PathResult r = parse_path(in, kind, size % 3 == 0);
    if (r.ok() && (r.mailbox.local.size() > 64 || r.mailbox.domain.size() > 255)) abort();
  }
  return 0;
}
