// The PEM material of cluster.tls, read and checked once when a role starts.
//
// Contract: load_cluster_tls() reads cluster.tls.ca, .cert and .key and checks that each
// parses as PEM (certificates / a private key), that the key belongs to the certificate, and
// that the certificate chains to the CA and is valid now. Any problem is a config::ConfigError
// "<config file>: cluster.tls.<key>: <problem> (<path>)", so a node with a bad file stops at
// start, saying which file and why, instead of failing every handshake later.
//
// SECURITY: the private key is secret. Its bytes live in a buffer that is wiped (OPENSSL_cleanse)
// when the TlsMaterial is destroyed; errors name the file, never its content. The CA and
// certificate are public.
#pragma once

#include <string>

#include "common/config/config.h"

namespace postern::grpc_tls {

struct TlsMaterial {
  TlsMaterial() = default;
  TlsMaterial(const TlsMaterial&) = delete;
  TlsMaterial& operator=(const TlsMaterial&) = delete;
  TlsMaterial(TlsMaterial&&) = default;
  TlsMaterial& operator=(TlsMaterial&&) = default;
  ~TlsMaterial();

  std::string ca_pem;    // the cluster CA certificate(s)
  std::string cert_pem;  // this node's certificate chain
  std::string key_pem;   // its private key (wiped on destruction)
};

// Reads and checks `tls` (see the contract). `config_file` and the key names go into errors.
// Throws config::ConfigError.
TlsMaterial load_cluster_tls(const config::ClusterTls& tls, const std::string& config_file);

}  // namespace postern::grpc_tls
