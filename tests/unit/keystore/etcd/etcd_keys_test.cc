// The etcd backend's key layout (pure): the exact key bytes, round trips for names with NUL
// and high bytes, key order equal to name order, prefix range ends, refusal of keys the
// backend never writes, and the prefix rules.
#include "keystore/etcd_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "keystore/store.h"

namespace postern::keystore::etcd_keys {
namespace {

using namespace std::literals;

TEST(EtcdKeysTest, LayoutIsPrefixKindSlashLowerHex) {
  EXPECT_EQ(entry_key("/postern/keystore/", "dkim", "ex.com\0s1"s),
            "/postern/keystore/dkim/65782e636f6d007331");
  EXPECT_EQ(entry_key("/p/", "nek", "\xff\x00\x7f"s), "/p/nek/ff007f");
  EXPECT_EQ(kind_prefix("/p/", "secret"), "/p/secret/");
  EXPECT_EQ(kDefaultPrefix, "/postern/keystore/");
}

TEST(EtcdKeysTest, DecodeRoundTripsEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  for (const std::string& name :
       {all, "a"s, "\0"s, "d\0s"s, std::string(kMaxEntryNameBytes, '\xfe')}) {
    std::optional<DecodedKey> d = decode_key("/p/", entry_key("/p/", "dkim-old", name));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->kind, "dkim-old");
    EXPECT_EQ(d->name, name);
  }
}

TEST(EtcdKeysTest, KeyOrderIsNameOrderWithinAKind) {
  std::mt19937 rng(7);
  std::vector<std::string> names = {"a"s, "a\0"s, "a\0\0"s, "\xff"s, "\x7f"s, "\x80"s, "ab"s};
  for (int i = 0; i < 500; ++i) {
    std::string n(1 + rng() % 6, '\0');
    for (char& c : n) c = static_cast<char>(rng() % 4 == 0 ? 0 : rng() % 256);
    names.push_back(n);
  }
  std::vector<std::string> keys;
  for (const std::string& n : names) keys.push_back(entry_key("/p/", "dkim", n));
  std::sort(names.begin(), names.end());  // std::string compares as unsigned bytes
  std::sort(keys.begin(), keys.end());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(decode_key("/p/", keys[i])->name, names[i]) << i;
  }
}

TEST(EtcdKeysTest, PrefixRangeEnd) {
  EXPECT_EQ(prefix_range_end("/p/dkim/"), "/p/dkim0");
  EXPECT_EQ(prefix_range_end("a\xff\xff"s), "b");
  EXPECT_EQ(prefix_range_end("\xff\xff"s), "\0"s);
  EXPECT_EQ(prefix_range_end(""), "\0"s);
  // Every key of kind "dkim" is inside [kind_prefix, end); "dkim-old"'s and "dkimx"'s are not.
  const std::string begin = kind_prefix("/p/", "dkim");
  const std::string end = prefix_range_end(begin);
  for (const std::string& n : {"\0"s, "\xff\xff\xff"s, "z"s}) {
    const std::string k = entry_key("/p/", "dkim", n);
    EXPECT_TRUE(k >= begin && k < end);
  }
  for (const char* other : {"dkim-old", "dkimx", "dki"}) {
    const std::string k = entry_key("/p/", other, "a");
    EXPECT_FALSE(k >= begin && k < end) << other;
  }
}

TEST(EtcdKeysTest, RefusesKeysItNeverWrites) {
  for (std::string_view key : {"/q/dkim/61"sv, "/p/dkim"sv, "/p/dkim/"sv, "/p/dkim/6"sv,
                               "/p/dkim/6A"sv, "/p/dkim/zz"sv, "/p/DKIM/61"sv, "/p//61"sv,
                               "/p/dkim/61/62"sv}) {
    EXPECT_FALSE(decode_key("/p/", key)) << key;
  }
  EXPECT_FALSE(decode_key("/p/", "/p/dkim/" + std::string(2 * kMaxEntryNameBytes + 2, 'a')));
  EXPECT_TRUE(decode_key("/p/", "/p/dkim/" + std::string(2 * kMaxEntryNameBytes, 'a')));
}

TEST(EtcdKeysTest, PrefixRules) {
  EXPECT_EQ(check_prefix("/postern/keystore/"), "");
  EXPECT_EQ(check_prefix("ks/"), "");
  EXPECT_NE(check_prefix(""), "");
  EXPECT_NE(check_prefix("/postern/keystore"), "");  // must end in "/"
  EXPECT_NE(check_prefix("/post ern/"), "");
  EXPECT_NE(check_prefix("/p\0/"sv), "");
  EXPECT_NE(check_prefix("/\xc3\xa9/"), "");
  EXPECT_NE(check_prefix(std::string(kMaxPrefixBytes, 'a') + "/"), "");
}

}  // namespace
}  // namespace postern::keystore::etcd_keys
