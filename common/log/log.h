// Logging: spdlog to stdout (Kubernetes collects it), one logger per component.
// Contract: never log secrets (passwords, AUTH payloads, private keys, admin tokens).
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace postern::log {

// Sets up the default sink and level once per process ("trace".."off"; default "info").
void init(const std::string& level = "info");

// A named logger ("edge", "router", "smtp-client", ...) sharing the default sink.
std::shared_ptr<spdlog::logger> get(const std::string& component);

}  // namespace postern::log
