// Table tests of the pure value parsers: durations and byte sizes.
#include "common/config/quantities.h"

#include <gtest/gtest.h>

namespace postern::config {
namespace {

using std::chrono::milliseconds;

struct DurationCase {
  const char* text;
  int64_t ms;  // -1: refused
};

TEST(ParseDuration, Table) {
  const DurationCase cases[] = {
      {"0", 0},
      {"300", 300'000},
      {"30s", 30'000},
      {"5m", 300'000},
      {"1h", 3'600'000},
      {"5d", 432'000'000},
      {"500ms", 500},
      {"1h30m", 5'400'000},
      {"", -1},
      {"5", 5'000},
      {"5 m", -1},
      {"-5s", -1},
      {"1.5h", -1},
      {"5w", -1},
      {"m", -1},
      {"5m30", -1},  // a trailing bare number is ambiguous
      {"99999999999999999999s", -1},
      {"36500d", 3'153'600'000'000},
      {"36501d", -1},  // above the 100-year cap
  };
  for (const auto& c : cases) {
    auto parsed = parse_duration(c.text);
    if (c.ms < 0) {
      EXPECT_FALSE(parsed) << c.text;
      EXPECT_FALSE(parsed.error.empty()) << c.text;
    } else {
      ASSERT_TRUE(parsed) << c.text << ": " << parsed.error;
      EXPECT_EQ(*parsed.value, milliseconds(c.ms)) << c.text;
    }
  }
}

TEST(ParseDuration, ReasonNamesTheInput) {
  EXPECT_EQ(parse_duration("5 minutes").error,
            "expected a duration like 30s, 5m, 1h, 5d or a number of seconds (got \"5 minutes\")");
  EXPECT_EQ(parse_duration("99999999999999999999s").error,
            "duration \"99999999999999999999s\" is too large");
}

struct SizeCase {
  const char* text;
  uint64_t bytes;
  bool ok;
};

TEST(ParseByteSize, Table) {
  const SizeCase cases[] = {
      {"26214400", 26214400, true},
      {"25M", 26214400, true},
      {"25MiB", 26214400, true},
      {"64K", 65536, true},
      {"64KiB", 65536, true},
      {"1G", 1073741824, true},
      {"1GiB", 1073741824, true},
      {"0", 0, true},
      {"25MB", 0, false},  // ambiguous (SI or binary): refused
      {"25m", 0, false},
      {"M", 0, false},
      {"", 0, false},
      {"-1", 0, false},
      {"1.5M", 0, false},
      {"18446744073709551615", 18446744073709551615ull, true},
      {"18446744073709551616", 0, false},
      {"17179869184G", 0, false},  // overflows after scaling
  };
  for (const auto& c : cases) {
    auto parsed = parse_byte_size(c.text);
    EXPECT_EQ(static_cast<bool>(parsed), c.ok) << c.text;
    if (c.ok && parsed) {
      EXPECT_EQ(*parsed.value, c.bytes) << c.text;
    }
  }
  EXPECT_EQ(parse_byte_size("25MB").error,
            "expected a size in bytes, optionally with K, M, G, KiB, MiB or GiB (got \"25MB\")");
}

}  // namespace
}  // namespace postern::config
