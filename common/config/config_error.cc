#include <string>
#include <utility>

#include "common/config/config.h"

namespace postern::config {
namespace {

std::string render(const std::string& file, const std::string& key, const std::string& reason,
                   int line, int column) {
  std::string out = file + ": ";
  if (!key.empty()) out += key + ": ";
  out += reason;
  if (line > 0) {
    out += " (line " + std::to_string(line);
    if (column > 0) out += ", column " + std::to_string(column);
    out += ")";
  }
  return out;
}

}  // namespace

ConfigError::ConfigError(std::string file, std::string key, std::string reason, int line,
                         int column)
    : std::runtime_error(render(file, key, reason, line, column)),
      file_(std::move(file)),
      key_(std::move(key)),
      reason_(std::move(reason)),
      line_(line),
      column_(column) {}

}  // namespace postern::config
