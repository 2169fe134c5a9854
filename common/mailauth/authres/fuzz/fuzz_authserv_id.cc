// libFuzzer: the authserv-id parser and forged-field removal never crash; removal only ever
// takes bytes away, and removing twice changes nothing more.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/mailauth/authres/authserv_id.h"
#include "common/mailauth/authres/forged.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postern::mailauth::authres;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (const auto id = parse_authserv_id(in); id && id->id.empty()) std::abort();
  const ForgedRemoval once = remove_forged(in, "mx.example.org");
  if (once.header_block.size() > in.size()) std::abort();
  if (once.removed == 0 && once.header_block != in) std::abort();
  const ForgedRemoval twice = remove_forged(once.header_block, "mx.example.org");
  if (twice.removed != 0 || twice.header_block != once.header_block) std::abort();
  return 0;
}
