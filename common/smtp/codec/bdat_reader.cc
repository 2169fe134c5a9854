#include "common/smtp/codec/bdat_reader.h"

#include <algorithm>

namespace postern::smtp::codec {

std::size_t BdatReader::feed(std::string_view in) {
  const std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(remaining_, in.size()));
  sink_.append(in.substr(0, n));
  remaining_ -= n;
  return n;
}

}  // namespace postern::smtp::codec
