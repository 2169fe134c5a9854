// gRPC transport credentials between Postern's roles, from cluster.tls.
//
// Contract:
//  - Without cluster.tls both factories return insecure credentials (plaintext gRPC, as
//    before issue 6: loopback or a trusted cluster network).
//  - With cluster.tls, server_credentials() requires every client to present a certificate
//    that chains to cluster.tls.ca (GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY)
//    and presents cluster.tls.cert; channel_credentials() verifies the server against the same
//    CA and presents cluster.tls.cert as the client certificate. A node has one certificate for
//    both directions.
//  - Server names: by default a client checks that the server's certificate names the host
//    of the address it dials (a SAN DNS name, or a SAN IP address for "10.0.0.5:7001"). When
//    cluster.tls.server_name is set, every server certificate must name that instead
//    (apply_channel_arguments() sets gRPC's ssl_target_name_override) — for clusters whose
//    nodes share one certificate. Nothing else overrides the check.
//  - The files are read and checked on every call (tls_files.h); problems throw
//    config::ConfigError naming the key and file. Roles call these once, at start.
//
// SECURITY: the private key passes through memory we wipe (tls_files.h); gRPC keeps its own
// copy for the process's life. Certificate verification is gRPC's (BoringSSL/OpenSSL under
// grpc's TSI), including validity dates.
#pragma once

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <memory>

#include "common/config/config.h"

namespace postern::grpc_tls {

std::shared_ptr<grpc::ServerCredentials> server_credentials(const config::Config& config);
std::shared_ptr<grpc::ChannelCredentials> channel_credentials(const config::Config& config);

// Adds the channel arguments cluster.tls asks for (the target name override when
// cluster.tls.server_name is set); nothing otherwise.
void apply_channel_arguments(const config::Config& config, grpc::ChannelArguments& args);

}  // namespace postern::grpc_tls
