// libFuzzer: the DATA reader ends at the same place whatever the fragmentation, and an
// accepted body never contains a bare CR or LF.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/smtp/codec/bdat_reader.h"
#include "common/smtp/codec/data_reader.h"

namespace {
using namespace postern::smtp::codec;

std::pair<std::size_t, Body> run(std::string_view in, std::size_t step) {
  DataReader reader(4096);
  std::size_t used = 0;
  while (used < in.size()) {
    auto r = reader.feed(in.substr(used, step));
    used += r.consumed;
    if (r.done) return {used, reader.take()};
  }
  return {used, Body{}};
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto a = run(in, in.size() + 1);
  auto b = run(in, 1);
  if (a.first != b.first || a.second.content != b.second.content ||
      a.second.error != b.second.error)
    abort();
  if (a.second.ok()) {
    const std::string& c = a.second.content;
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (c[i] == '\r' && (i + 1 >= c.size() || c[i + 1] != '\n')) abort();
      if (c[i] == '\n' && (i == 0 || c[i - 1] != '\r')) abort();
    }
  }
  BdatReader bdat(4096);
  bdat.begin_chunk(size, true);
  if (bdat.feed(in) != size || !bdat.chunk_complete()) abort();
  (void)bdat.take();
  return 0;
}
