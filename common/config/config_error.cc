#include "common/config/config.h"

namespace postern::config {

ConfigError::ConfigError(std::string file, std::string key, std::string reason)
    : std::runtime_error(file + ": " + key + ": " + reason),
      file_(std::move(file)), key_(std::move(key)), reason_(std::move(reason)) {}

std::string HostPort::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace postern::config
