#include "common/log/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>

namespace postern::log {
namespace {
std::mutex g_mutex;
}

void init(const std::string& level) {
  std::lock_guard lock(g_mutex);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%n] %v");
}

std::shared_ptr<spdlog::logger> get(const std::string& component) {
  std::lock_guard lock(g_mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto logger = spdlog::stdout_color_mt(component);
  logger->set_level(spdlog::get_level());
  return logger;
}

}  // namespace postern::log
