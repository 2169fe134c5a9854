#include "common/config/quantities.h"

#include <array>
#include <charconv>
#include <limits>
#include <string>
#include <utility>

namespace postern::config {
namespace {

using std::chrono::milliseconds;

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads the leading decimal digits of `text` into `out`; returns how many were read
// (0 when none, or when the number does not fit in 64 bits: `overflow` tells which).
size_t read_number(std::string_view text, uint64_t& out, bool& overflow) {
  size_t n = 0;
  while (n < text.size() && is_digit(text[n])) ++n;
  overflow = false;
  if (n == 0) return 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + n, out);
  if (ec == std::errc::result_out_of_range) {
    overflow = true;
    return 0;
  }
  return n;
}

bool checked_mul(uint64_t a, uint64_t b, uint64_t& out) {
  if (a != 0 && b > kMax / a) return false;
  out = a * b;
  return true;
}

// Appended piecewise: GCC 12 at -O3 reports a false -Wrestrict for "\"" + std::string(...).
std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

}  // namespace

Parsed<milliseconds> parse_duration(std::string_view text) {
  using R = Parsed<milliseconds>;
  const std::string expected =
      "expected a duration like 30s, 5m, 1h, 5d or a number of seconds (got " + quoted(text) +
      ")";
  if (text.empty()) return R::fail(expected);

  // A cap far above any sensible timeout (~292 million years in ms would overflow int64).
  constexpr uint64_t kMaxMs = uint64_t{100} * 365 * 24 * 3600 * 1000;  // 100 years
  uint64_t total_ms = 0;
  size_t pos = 0;
  bool plain = true;
  while (pos < text.size()) {
    uint64_t number = 0;
    bool overflow = false;
    const size_t digits = read_number(text.substr(pos), number, overflow);
    if (overflow) return R::fail("duration " + quoted(text) + " is too large");
    if (digits == 0) return R::fail(expected);
    pos += digits;
    size_t unit_len = 0;
    while (pos + unit_len < text.size() && !is_digit(text[pos + unit_len])) ++unit_len;
    const std::string_view unit = text.substr(pos, unit_len);
    pos += unit_len;
    uint64_t scale = 0;
    if (unit.empty()) {
      // Only a lone number may omit the unit ("300"); "5m30" is ambiguous.
      if (!plain || pos != text.size()) return R::fail(expected);
      scale = 1000;
    } else if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60 * 1000;
    } else if (unit == "h") {
      scale = 3600 * 1000;
    } else if (unit == "d") {
      scale = 24 * 3600 * 1000;
    } else {
      return R::fail(expected);
    }
    plain = false;
    uint64_t part = 0;
    if (!checked_mul(number, scale, part) || part > kMaxMs || total_ms + part > kMaxMs) {
      return R::fail("duration " + quoted(text) + " is too large");
    }
    total_ms += part;
  }
  return R::ok(milliseconds(static_cast<milliseconds::rep>(total_ms)));
}

Parsed<uint64_t> parse_byte_size(std::string_view text) {
  using R = Parsed<uint64_t>;
  const std::string expected =
      "expected a size in bytes, optionally with K, M, G, KiB, MiB or GiB (got " + quoted(text) +
      ")";
  uint64_t number = 0;
  bool overflow = false;
  const size_t digits = read_number(text, number, overflow);
  if (overflow) return R::fail("size " + quoted(text) + " is too large");
  if (digits == 0) return R::fail(expected);
  const std::string_view suffix = text.substr(digits);
  static constexpr std::array<std::pair<std::string_view, uint64_t>, 7> kSuffixes{{
      {"", 1},
      {"K", uint64_t{1} << 10},
      {"KiB", uint64_t{1} << 10},
      {"M", uint64_t{1} << 20},
      {"MiB", uint64_t{1} << 20},
      {"G", uint64_t{1} << 30},
      {"GiB", uint64_t{1} << 30},
  }};
  for (const auto& [name, scale] : kSuffixes) {
    if (suffix != name) continue;
    uint64_t bytes = 0;
    if (!checked_mul(number, scale, bytes)) return R::fail("size " + quoted(text) + " is too large");
    return R::ok(bytes);
  }
  return R::fail(expected);
}

}  // namespace postern::config
