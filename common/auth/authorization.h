// Who may call a gRPC service: the one authorization decision shared by every service
// (router QueueAdmin, keystore Keystore and KeyManagement, router Forward).
//
// A call is allowed by a bearer token OR by the verified client certificate of its TLS
// connection (cluster.tls):
//  - admin services (QueueAdmin, KeyManagement): the admin token, or a certificate whose
//    common name or a SAN DNS name is listed in admin.tls_clients (admin_callers());
//  - cluster services (Keystore.Sign/GetSecret, Router.Forward): the cluster token, or a
//    certificate named in cluster.tls.routers (cluster_callers()): the CA also issues the
//    edges' certificates, and an edge must not reach keys, secrets or Forward.
// Pure: the transport facts come in as a PeerCertificate (grpc_authorizer.h reads them from
// gRPC's AuthContext).
//
// SECURITY: the metadata value is untrusted; it is compared in constant time
// (bearer_token.h) whether or not a certificate also allows the call. A certificate counts
// only when the transport verified it against cluster.tls.ca (PeerCertificate::verified);
// names are compared ASCII-case-insensitively and exactly otherwise (no wildcards, no
// suffix matching). An empty token allows nothing; an empty name list allows no certificate.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"

namespace postern::auth {

// The client certificate of a call's connection, as the transport verified it.
struct PeerCertificate {
  bool verified = false;           // TLS with a client certificate that chains to the CA
  std::vector<std::string> names;  // its subject common name(s) and SAN DNS names
};

// Who a service lets in.
struct CallerRule {
  std::string token;                            // the bearer token ("" = no token allowed)
  std::vector<std::string> certificate_names;   // verified certificates with one of these names
  std::string names_key;                        // the config key of that list, for messages
};

enum class Grant { token, certificate, refused };
const char* to_string(Grant grant);

// The decision for one call. `authorization` is the call's "authorization" metadata value
// ("" when absent).
Grant authorize(const CallerRule& rule, std::string_view authorization,
                const PeerCertificate& peer);

// Admin services: `admin_token`, or a certificate named in admin.tls_clients.
CallerRule admin_callers(const config::Config& config, std::string admin_token);
// Cluster services: `cluster_token`, or a certificate named in cluster.tls.routers.
CallerRule cluster_callers(const config::Config& config, std::string cluster_token);

}  // namespace postern::auth
