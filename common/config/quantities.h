// Durations and byte sizes as an admin writes them in postern.yaml. Pure functions.
//
// Durations: a plain number is seconds ("300"); otherwise one or more <number><unit> groups,
// unit one of ms, s, m, h, d ("30s", "5m", "1h30m", "5d", "500ms"). No sign, no fractions,
// no spaces. Sizes: a plain number is bytes ("26214400"); suffixes K, M, G and KiB, MiB, GiB
// all mean powers of 1024 ("25M" == "25MiB" == 26214400). Overflow is an error, not a wrap.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "common/config/parsed.h"

namespace postern::config {

Parsed<std::chrono::milliseconds> parse_duration(std::string_view text);
Parsed<uint64_t> parse_byte_size(std::string_view text);

}  // namespace postern::config
