#include "services/ctl_target.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace postern::services {

std::string resolve_server(const CtlOptions& options, const config::Config* config) {
  if (!options.server.empty()) return options.server;
  if (config) return config->router.listen.to_string();
  return "127.0.0.1:7001";
}

std::string resolve_keystore_server(const CtlOptions& options, const config::Config* config) {
  if (!options.server.empty()) return options.server;
  if (config) return config->keystore.listen.to_string();
  return "127.0.0.1:7002";
}

std::string read_token_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read admin token file " + file + ": " +
                             std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
    token.pop_back();
  }
  if (token.empty()) throw std::runtime_error("admin token file " + file + " is empty");
  return token;
}

AdminToken resolve_token(const CtlOptions& options, const char* env_token,
                         const config::Config* config) {
  if (!options.token_file.empty()) {
    return {read_token_file(options.token_file), "--token-file " + options.token_file};
  }
  if (env_token && *env_token) return {env_token, "POSTERN_ADMIN_TOKEN"};
  if (config) {
    return {read_token_file(config->admin.token_file),
            "admin.token_file " + config->admin.token_file};
  }
  throw std::runtime_error(
      "no admin token: give --token-file FILE, set POSTERN_ADMIN_TOKEN, or --config "
      "postern.yaml (its admin.token_file)");
}

}  // namespace postern::services
