// The greylist Store on RocksDB, in its own database directory (<node.data_dir>/greylist),
// apart from the queue so neither one's compaction or sync policy affects the other.
//
// Durability: writes go to the WAL without fsync (sync=false). A crash may lose the last
// entries written; that only makes those triplets start over (their mail is delayed once
// more), never loses or accepts mail that should not be. A clean close flushes everything.
// Format: default column family; key = 32-octet store_key, value = encode(Entry); the key
// "\0format" holds the format version and is never swept.
#pragma once

#include <memory>
#include <string>

#include "router/greylist/store.h"

namespace postern::router::greylist {

class RocksDbStore : public Store {
 public:
  // Opens or creates the store in `directory`. Throws std::runtime_error naming the
  // directory and RocksDB's reason (or an unknown format).
  static std::unique_ptr<RocksDbStore> open(const std::string& directory);
  ~RocksDbStore() override = default;

  // Entries currently stored (RocksDB's estimate is not used: this iterates; tests only).
  virtual std::size_t count() = 0;
};

}  // namespace postern::router::greylist
