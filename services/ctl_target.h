// Where posternctl connects and which admin token it presents.
//
// Server: --server, else router.listen of --config, else 127.0.0.1:7001 (keymgmt:
// keystore.listen, else 127.0.0.1:7002).
// Token:  --token-file, else $POSTERN_ADMIN_TOKEN, else admin.token_file of --config.
// posternctl never creates a token file (only the router does); a missing one is an error
// that says where it looked, except when --config has cluster.tls: posternctl then goes on
// without a token and its client certificate must be in the server's admin.tls_clients.
#pragma once

#include <optional>
#include <string>

#include "common/config/config.h"

namespace postern::services {

struct CtlOptions {
  std::string server;      // --server ("" = not given)
  std::string token_file;  // --token-file
  std::string config_file; // --config
};

struct AdminToken {
  std::string value;
  std::string source;  // "--token-file /x", "POSTERN_ADMIN_TOKEN", "admin.token_file /x"
};

std::string resolve_server(const CtlOptions& options, const config::Config* config);
// For `keymgmt`: --server, else keystore.listen of --config, else 127.0.0.1:7002.
std::string resolve_keystore_server(const CtlOptions& options, const config::Config* config);

// `env_token` is getenv("POSTERN_ADMIN_TOKEN") (nullptr when unset). Throws
// std::runtime_error when no source gives a token, naming the sources tried.
AdminToken resolve_token(const CtlOptions& options, const char* env_token,
                         const config::Config* config);

// The token in `file`: its content without trailing whitespace. Throws std::runtime_error.
std::string read_token_file(const std::string& file);

}  // namespace postern::services
