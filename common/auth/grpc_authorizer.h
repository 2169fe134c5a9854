// The gRPC side of authorization.h: reads a call's token and verified client certificate and
// applies a CallerRule; every service that authenticates calls uses it.
//
// Contract: CallAuthorizer::authorized() is true when authorize() grants the call; otherwise
// it logs one warning naming the service and the peer address (never the presented token or
// certificate content) and returns false. The caller then finishes the call with
// unauthenticated(). peer_certificate() counts a certificate as verified only on an "ssl"
// transport whose peer gRPC marked authenticated: our servers (grpc_tls/credentials.h) require
// and verify client certificates against cluster.tls.ca, so such a peer chains to that CA.
//
// SECURITY: see authorization.h. A refusal logs the service, the peer address and whether a
// verified certificate was presented; never a token or certificate content.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>
#include <string_view>

#include "common/auth/authorization.h"

namespace postern::auth {

PeerCertificate peer_certificate(const grpc::AuthContext& context);

class CallAuthorizer {
 public:
  // `component` is the logger ("router", "keystore"); `service` names the service in the log.
  CallAuthorizer(std::string component, std::string service, CallerRule rule);

  bool authorized(const grpc::ServerContextBase& context) const;
  const CallerRule& rule() const { return rule_; }

 private:
  std::string component_;
  std::string service_;
  CallerRule rule_;
};

// The status of a refused call: names which credential was wanted, never what was presented
// ("missing or wrong admin token" / "... admin token or client certificate").
grpc::Status unauthenticated(const CallerRule& rule, std::string_view which_token);

}  // namespace postern::auth
