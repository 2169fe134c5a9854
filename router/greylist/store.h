// Where greylist entries live: a narrow interface (key = store_key() of a triplet) so the
// decision logic is tested over memory and served over RocksDB.
//
// Contract: get() of a missing key is ok with no entry; an undecodable value counts as
// missing (and is overwritten by the next put). sweep() deletes every entry whose expires_at
// is before `now` (and undecodable ones) and returns how many it deleted. Implementations are
// thread-safe for distinct keys; callers serialize read-modify-write of one key (Greylist).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "router/greylist/decision.h"

namespace postern::router::greylist {

struct StoreStatus {
  std::string error;  // empty: ok
  bool ok() const { return error.empty(); }
};

struct StoreGet {
  std::optional<Entry> entry;
  std::string error;  // empty: ok (entry may still be absent)
  bool ok() const { return error.empty(); }
};

struct StoreSweep {
  std::size_t deleted = 0;
  std::string error;
  bool ok() const { return error.empty(); }
};

class Store {
 public:
  virtual ~Store() = default;
  virtual StoreGet get(const std::string& key) = 0;
  virtual StoreStatus put(const std::string& key, const Entry& entry) = 0;
  virtual StoreSweep sweep(SysTime now) = 0;
};

}  // namespace postern::router::greylist
