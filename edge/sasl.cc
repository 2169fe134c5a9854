#include "edge/sasl.h"

#include "common/encoding/base64.h"

namespace postern::edge {

std::optional<std::string> decode_response(std::string_view text) {
  if (text == "=") return std::string();
  if (text.empty()) return std::nullopt;
  return encoding::base64_decode(text);
}

std::optional<Credentials> parse_plain(std::string_view decoded) {
  const std::size_t first = decoded.find('\0');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = decoded.find('\0', first + 1);
  if (second == std::string_view::npos || decoded.find('\0', second + 1) != std::string_view::npos)
    return std::nullopt;
  const std::string_view authzid = decoded.substr(0, first);
  Credentials c{std::string(decoded.substr(first + 1, second - first - 1)),
                std::string(decoded.substr(second + 1))};
  if (c.username.empty() || c.password.empty()) return std::nullopt;
  if (!authzid.empty() && authzid != c.username) return std::nullopt;
  return c;
}

}  // namespace postern::edge
