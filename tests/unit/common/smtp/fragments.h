// Every incremental parser is tested at these fragment sizes (0 = the whole input at once).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace postern::smtp::codec::testing {

inline const std::vector<std::size_t> kFragmentSizes = {0, 1000, 100, 10, 5, 2, 1};

inline std::string fragment_name(std::size_t n) {
  return n == 0 ? std::string("all") : std::to_string(n);
}

}  // namespace postern::smtp::codec::testing
