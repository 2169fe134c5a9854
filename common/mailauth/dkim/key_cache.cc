#include "common/mailauth/dkim/key_cache.h"

namespace postern::mailauth::dkim {

std::optional<PublicKey> KeyCache::load(KeyType type, std::string_view key_bytes,
                                        std::string& error) {
  std::string id(1, type == KeyType::rsa ? 'r' : 'e');
  id += key_bytes;
  {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(id); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      ++hits_;
      return it->second->key;
    }
  }
  // Decode outside the lock: it is the slow part, and two threads decoding the same key at
  // once only waste work.
  std::optional<PublicKey> key = PublicKey::load(type, key_bytes, error);
  if (!key || capacity_ == 0) return key;
  std::lock_guard lock(mutex_);
  if (index_.find(id) == index_.end()) {
    lru_.push_front(Entry{std::move(id), *key});
    index_.emplace(lru_.front().id, lru_.begin());
    if (lru_.size() > capacity_) {
      index_.erase(lru_.back().id);
      lru_.pop_back();
    }
  }
  return key;
}

std::size_t KeyCache::size() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

std::size_t KeyCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

}  // namespace postern::mailauth::dkim
