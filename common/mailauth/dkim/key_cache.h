// Decoded public keys by key bytes, least recently used evicted first.
//
// Why: OpenSSL 3 needs 150-300 us to decode an RSA SubjectPublicKeyInfo, roughly 15 times
// the cost of verifying an RSA-2048 signature with it, and senders sign with the same few keys
// all day. A cache hit returns the same immutable key; results are identical with or without
// the cache (it memoizes a pure function). Only successful loads are kept.
//
// Thread-safe (one mutex): edges may share one cache across their io_context threads.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/mailauth/dkim/public_key.h"

namespace postern::mailauth::dkim {

class KeyCache {
 public:
  explicit KeyCache(std::size_t capacity = 1024) : capacity_(capacity) {}

  // PublicKey::load, memoized.
  std::optional<PublicKey> load(KeyType type, std::string_view key_bytes, std::string& error);

  std::size_t size() const;
  std::size_t hits() const;  // for tests and metrics

 private:
  struct Entry {
    std::string id;  // type tag + key bytes
    PublicKey key;
  };
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // views into lru_
  std::size_t hits_ = 0;
};

}  // namespace postern::mailauth::dkim
