// gRPC adapter for postern.v1.Greylist/Check (callback API): translates the request into a
// Triplet and Params, asks the Greylist, translates the decision back. It only translates.
//
// Status mapping: OK with the decision; INVALID_ARGUMENT for a malformed client address,
// over-long or control-character fields, or unusable parameters (the message names the field,
// never its content); UNAVAILABLE when the store fails.
// The store calls are unsynced RocksDB reads and writes (microseconds), made on the gRPC
// callback thread.
//
// SECURITY: only edges should reach this service (like Router/Submit: network policy / mTLS).
// A peer can fill the store with triplets, bounded by the sweep of expired entries.
#pragma once

#include <grpcpp/grpcpp.h>

#include "postern/v1/greylist.grpc.pb.h"
#include "router/greylist/greylist.h"

namespace postern::router::greylist {

class GreylistService final : public postern::v1::Greylist::CallbackService {
 public:
  explicit GreylistService(Greylist& greylist) : greylist_(greylist) {}

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const postern::v1::GreylistRequest* request,
                                  postern::v1::GreylistReply* reply) override;

 private:
  Greylist& greylist_;
};

}  // namespace postern::router::greylist
