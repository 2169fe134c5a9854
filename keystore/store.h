// Store: where the keystore keeps its entries, behind a narrow interface so the local RocksDB
// backend (rocksdb_store.h) and the etcd backend of the cluster issue are interchangeable.
//
// Crash invariants (every backend keeps them):
// 1. put() and remove() return success only once the change is durable (synced to disk, or
//    committed by a quorum): after a crash or power loss a reported put is there and a
//    reported remove is gone.
// 2. A single put() or remove() is atomic: after a crash an entry holds either its old or its
//    new value, never a mix or a truncated value.
// 3. An entry that is not reported stored may or may not be there after a crash; callers
//    retry idempotently (same kind, name and value) rather than assume either.
//
// Data model: keys are (kind, name). KIND is a lowercase token ([a-z0-9-], 1..32 bytes, as in
// seal.h: "nek", "dkim", "secret"); NAME is 1..kMaxEntryNameBytes arbitrary bytes (a DKIM
// entry is "domain" 0x00 "selector"). list(kind) returns the names of one kind in bytewise
// order. Values are 1..kMaxStoredValueBytes bytes.
//
// SECURITY: values are ONLY ever sealed bytes: a seal.h entry ("PKSE"), an identity-wrapped
// NEK ("PKNW") or a blob sealed for an identity ("PKBX"). Nothing plaintext, no key, no
// password may be passed to put(); backends refuse values that do not start with one of
// these headers (looks_sealed()) as a last line of defence, but the real contract is the
// caller's. Kinds and names are not secret: they may appear in logs and errors.
//
// Errors: invalid_argument for a bad kind, name or value; resource for a storage failure (an
// I/O error, a lost cluster), with a message that names the backend's location. Methods may be
// called from several threads at once.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keystore/result.h"
#include "keystore/seal.h"  // kMaxEntryKindBytes, kMaxEntryNameBytes

namespace postern::keystore {

inline constexpr std::size_t kMaxStoredValueBytes = 1024 * 1024;

class Store {
 public:
  virtual ~Store() = default;

  // Stores `sealed` under (kind, name), replacing any value; durable when it returns nullopt.
  virtual std::optional<Error> put(std::string_view kind, std::string_view name,
                                   std::string_view sealed) = 0;
  // The value under (kind, name), or nullopt when there is none.
  virtual Result<std::optional<std::string>> get(std::string_view kind,
                                                 std::string_view name) = 0;
  // Removes (kind, name); removing an absent entry succeeds. Durable when it returns nullopt.
  virtual std::optional<Error> remove(std::string_view kind, std::string_view name) = 0;
  // The names stored under `kind`, in bytewise order.
  virtual Result<std::vector<std::string>> list(std::string_view kind) = 0;

  // Cheap: "" while the backend works, else why it does not (the last write failure, a lost
  // connection), for health checks and logs.
  virtual std::string unhealthy_reason() const = 0;
};

// True when `kind` is a valid entry kind: [a-z0-9-], 1..kMaxEntryKindBytes (seal.h).
bool valid_store_kind(std::string_view kind);

// True when `value` starts with the header of one of the keystore's sealed formats. A cheap
// tripwire against passing plaintext, not a proof that the bytes are sealed.
bool looks_sealed(std::string_view value);

// The data model's checks: nullopt when acceptable, else invalid_argument with the reason.
std::optional<Error> check_store_key(std::string_view kind, std::string_view name);
std::optional<Error> check_store_value(std::string_view value);

}  // namespace postern::keystore
