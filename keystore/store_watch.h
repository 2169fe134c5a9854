// StoreWatcher: change notifications from a Store shared by several keystore replicas (the
// etcd backend, etcd_store.h), so each replica can drop or reload what it caches when another
// replica changes an entry. The local RocksDB backend has a single writer and no watcher.
//
// Contract of watch(on_change):
// - on_change runs on the watch's own thread, one call at a time, never after the StoreWatch
//   handle's destructor has returned. It must not block for long, must not throw, and must
//   not destroy the handle it belongs to.
// - The first call is always {resync}: the watch is established and every change from then
//   on will be reported, so the replica (re)reads everything it caches now. Reading before
//   that call could miss a change made in between.
// - Then one {put, kind, name} or {removed, kind, name} per change of an entry, in commit
//   order, values not included (read them with Store::get). A change may be reported twice
//   (after a reconnect) and a remove of an absent entry may be reported: handle them
//   idempotently.
// - When the connection breaks the watch reconnects by itself (with backoff, to any of the
//   backend's endpoints) and resumes after the last change it reported, so nothing is lost;
//   only when it cannot resume (the history was compacted away) does it report {resync}
//   again. While disconnected, unhealthy_reason() says why.
// - Destroying the handle stops the watch (cancels the stream, joins the thread).
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace postern::keystore {

struct StoreChange {
  enum class Type {
    resync,   // re-read everything; kind and name are empty
    put,      // (kind, name) was stored or replaced
    removed,  // (kind, name) was removed
  };
  Type type = Type::resync;
  std::string kind;
  std::string name;  // arbitrary bytes, as in store.h
};

using StoreChangeCallback = std::function<void(const StoreChange&)>;

// A running watch; destroying it stops it.
class StoreWatch {
 public:
  virtual ~StoreWatch() = default;
  // "" while the watch stream is established, else why not (connecting, the last error).
  virtual std::string unhealthy_reason() const = 0;
};

class StoreWatcher {
 public:
  virtual ~StoreWatcher() = default;
  // Starts watching every entry of the store; see the contract above. Never fails: an
  // unreachable backend shows in the handle's unhealthy_reason() until it is reached.
  virtual std::unique_ptr<StoreWatch> watch(StoreChangeCallback on_change) = 0;
};

}  // namespace postern::keystore
