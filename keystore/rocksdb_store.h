// The local Store backend: one RocksDB database in a directory (keystore data dir).
//
// Layout: the RocksDB key is KIND 0x00 NAME. Kinds never contain 0x00, so the kind is the
// prefix up to the first NUL and list(kind) is a prefix scan in the default bytewise order,
// which is name order. Values are the sealed bytes as given.
//
// Durability: put() and remove() write with WriteOptions::sync = true (the WAL is fsynced
// before they return), which gives the crash invariants of store.h; a single Put/Delete is
// atomic in RocksDB. A failed write is remembered in unhealthy_reason() until a later write
// succeeds.
//
// The directory is created (mode 0700) when missing. Opening fails with a message naming the
// directory (another process holds the lock, permissions, corruption). RocksDB's own LOG files
// in the directory never contain values.
#pragma once

#include <memory>
#include <string>

#include "keystore/result.h"
#include "keystore/store.h"

namespace postern::keystore {

class RocksDbStore : public Store {
 public:
  static Result<std::unique_ptr<RocksDbStore>> open(const std::string& dir);
};

}  // namespace postern::keystore
