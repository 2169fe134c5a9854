// The replicated Store backend: every keystore replica keeps its entries in one etcd cluster
// (v3 API over gRPC; proto/etcd/), so the replicas hold no state of their own and see each
// other's changes through watch() (store_watch.h).
//
// Layout: etcd_keys.h (PREFIX KIND "/" HEX(NAME)); values are the sealed bytes as given.
// put = KV/Put, remove = KV/DeleteRange of the one key, get = KV/Range of the one key,
// list = KV/Range over PREFIX KIND "/" with keys only, in pages of kListPageKeys pinned to
// the first page's revision (one consistent snapshot), already in name order.
//
// Durability (store.h invariants): etcd answers a Put or DeleteRange only after the raft
// quorum has committed it to its write-ahead logs (invariant 1); one Put/DeleteRange of one
// key is atomic (invariant 2). Reads are linearizable (through the quorum), so a get after a
// put on another replica sees it. A call that times out may or may not have been applied
// (invariant 3): callers retry with the same value, which is idempotent.
//
// Endpoints and failover: each call goes to the endpoint that last answered and, when that
// one fails with UNAVAILABLE or DEADLINE_EXCEEDED (down, unreachable, no leader, etcd's own
// request timeout), to the next one, each endpoint at most once per call. Each attempt has
// call_timeout (default 3 s), so a call fails within endpoints × call_timeout at worst, and
// within about 0.3 s per endpoint when every member refuses connections (the wait that polls
// a failing channel's reconnection, etcd_client.h await_connection). Other statuses (too
// large, permission) are not retried. Any failure is Errc::resource with a message naming
// every endpoint and what each answered; the last one is unhealthy_reason() until a call
// succeeds again. Connections are made lazily: open() does no I/O and succeeds while etcd is
// down. A member that comes back is used again within about a second (reconnect backoff
// 0.1..1 s).
//
// Channels (one per endpoint address) live for the whole process, shared by every EtcdStore
// and watch: gRPC 1.51's completion-queue teardown race (see edge/grpc_submitter.cc), and
// gRPC's own advice to reuse channels. Keepalive pings every 10 s detect a dead peer on an
// idle watch stream (etcd's enforcement minimum is 5 s).
//
// SECURITY: the connection is plaintext gRPC without etcd authentication: run etcd on a
// trusted network (or loopback). What crosses it and what etcd stores is only sealed values
// (refused otherwise, as in every backend: check_store_value), kinds and hex names; a reader
// learns which DKIM domains/selectors and secret names exist and their sizes, not keys. A
// writer could delete or roll back entries; substituting one sealed entry for another is
// caught when it is opened (its AD binds kind and name). etcd's error texts, which appear in
// our errors, never contain values.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keystore/result.h"
#include "keystore/store.h"
#include "keystore/store_watch.h"

namespace postern::keystore {

// PEM text for TLS to etcd: the CA that issued the members' certificates, and optionally
// (both or neither) the client certificate and key that etcd's --client-cert-auth checks.
// SECURITY: `key` is a private key; it stays in memory for the process lifetime (gRPC needs
// it for every reconnect) and is never logged.
struct EtcdTlsPem {
  std::string ca;
  std::string cert;
  std::string key;
};

struct EtcdOptions {
  // Client endpoints, "host:port" (or "http://host:port"), 1..16 of them, tried in order.
  std::vector<std::string> endpoints;
  // Key prefix of this keystore cluster's entries (etcd_keys.h check_prefix).
  std::string prefix = "/postern/keystore/";
  // Deadline of one attempt on one endpoint.
  std::chrono::milliseconds call_timeout{3000};
  // TLS to the members; unset: plaintext. Endpoints may then be written "https://host:port".
  std::optional<EtcdTlsPem> tls;
};

class EtcdStore : public Store, public StoreWatcher {
 public:
  // Checks the options (invalid_argument naming the bad endpoint or prefix); no I/O.
  static Result<std::unique_ptr<EtcdStore>> open(EtcdOptions options);

  static constexpr long kListPageKeys = 1000;
};

}  // namespace postern::keystore
