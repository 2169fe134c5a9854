#include "common/smtp/client/auth.h"

#include <algorithm>

#include "common/encoding/base64.h"

namespace postern::smtp::client {

std::string auth_plain_response(std::string_view username, std::string_view password) {
  std::string message;
  message += '\0';
  message += username;
  message += '\0';
  message += password;
  return encoding::base64_encode(message);
}

std::optional<std::string> choose_auth_mechanism(const std::vector<std::string>& offered) {
  for (const char* preferred : {"PLAIN", "LOGIN"})
    if (std::find(offered.begin(), offered.end(), preferred) != offered.end()) return preferred;
  return std::nullopt;
}

}  // namespace postern::smtp::client
