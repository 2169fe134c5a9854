// Internal to the etcd backend: the StoreWatch of EtcdStore::watch() (contract in
// store_watch.h).
//
// One thread per watch runs a bidirectional etcd Watch stream over the whole key prefix:
// - The stream carries "hasleader" metadata, so a member that loses its leader (partitioned,
//   no quorum) ends the stream instead of going silent; keepalive pings (etcd_client.h) end it
//   when the peer dies without closing the connection.
// - When the stream ends the thread reconnects to the next endpoint after a backoff (100 ms,
//   doubling to 2 s, back to 100 ms after a stream was established) and asks for the changes
//   from the revision after the last one it reported (start_revision), so none is lost.
//   Before opening a stream it waits for the channel's connection like the store's calls
//   (etcd_client::await_connection), in 100 ms slices so that stopping is never held up.
// - It reports {resync} after the first stream is established, and again only when etcd
//   refuses the resume revision because it was compacted (or a stream was established
//   before any revision was known).
// - The destructor cancels the stream (ClientContext::TryCancel) and wakes the backoff wait,
//   then joins the thread: it returns within a few milliseconds.
#pragma once

#include <memory>

#include "keystore/etcd_store.h"
#include "keystore/store_watch.h"

namespace postern::keystore {

// `options` must have been checked by etcd_client::normalize().
std::unique_ptr<StoreWatch> start_etcd_watch(const EtcdOptions& options,
                                             StoreChangeCallback on_change);

}  // namespace postern::keystore
