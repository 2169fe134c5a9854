// Which shard a key belongs to (shared by the limiters; internal). Keys are cut to
// kMaxKeyBytes before use, so the cut key decides the shard too.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace postern::ratelimit::detail {

inline std::string_view cut_key(std::string_view key, std::size_t max) {
  return key.size() > max ? key.substr(0, max) : key;
}

inline std::size_t shard_index(std::string_view key, std::size_t shards) {
  // Mix the hash so that shard counts that are powers of two use all of its bits.
  std::size_t h = std::hash<std::string_view>{}(key);
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 32;
  return h % shards;
}

}  // namespace postern::ratelimit::detail
