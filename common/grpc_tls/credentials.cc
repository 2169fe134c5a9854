#include "common/grpc_tls/credentials.h"

#include <openssl/crypto.h>

#include "common/grpc_tls/tls_files.h"

namespace postern::grpc_tls {

std::shared_ptr<grpc::ServerCredentials> server_credentials(const config::Config& config) {
  if (!config.cluster.tls) return grpc::InsecureServerCredentials();
  const TlsMaterial m = load_cluster_tls(*config.cluster.tls, config.source_file);
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = m.ca_pem;
  options.pem_key_cert_pairs.push_back({m.key_pem, m.cert_pem});
  auto credentials = grpc::SslServerCredentials(options);
  OPENSSL_cleanse(options.pem_key_cert_pairs[0].private_key.data(),
                  options.pem_key_cert_pairs[0].private_key.size());
  return credentials;
}

std::shared_ptr<grpc::ChannelCredentials> channel_credentials(const config::Config& config) {
  if (!config.cluster.tls) return grpc::InsecureChannelCredentials();
  const TlsMaterial m = load_cluster_tls(*config.cluster.tls, config.source_file);
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = m.ca_pem;
  options.pem_private_key = m.key_pem;
  options.pem_cert_chain = m.cert_pem;
  auto credentials = grpc::SslCredentials(options);
  OPENSSL_cleanse(options.pem_private_key.data(), options.pem_private_key.size());
  return credentials;
}

void apply_channel_arguments(const config::Config& config, grpc::ChannelArguments& args) {
  if (config.cluster.tls && !config.cluster.tls->server_name.empty()) {
    args.SetSslTargetNameOverride(config.cluster.tls->server_name);
  }
}

}  // namespace postern::grpc_tls
