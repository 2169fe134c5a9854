#include "router/delivery/maildir_name.h"

namespace postern::router::delivery {

std::optional<std::string> maildir_folder_name(std::string_view recipient) {
  if (recipient.empty() || recipient.size() > 255 || recipient.front() == '.')
    return std::nullopt;
  std::string out;
  out.reserve(recipient.size());
  for (char c : recipient) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '/') return std::nullopt;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::string maildir_unique_name(int64_t seconds, int64_t micros, int64_t pid, uint64_t sequence,
                                std::string_view host) {
  std::string safe_host;
  for (char c : host) {
    if (c == '/') safe_host += "\\057";
    else if (c == ':') safe_host += "\\072";
    else safe_host += c;
  }
  return std::to_string(seconds) + ".M" + std::to_string(micros) + "P" + std::to_string(pid) +
         "Q" + std::to_string(sequence) + "." + safe_host;
}

std::string maildir_content(std::string_view sender, std::string_view recipient,
                            std::string_view message) {
  std::string out;
  out.reserve(message.size() + sender.size() + recipient.size() + 40);
  out += "Return-Path: <";
  out += sender;
  out += ">\nDelivered-To: ";
  out += recipient;
  out += '\n';
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n') continue;
    out += message[i];
  }
  return out;
}

}  // namespace postern::router::delivery
