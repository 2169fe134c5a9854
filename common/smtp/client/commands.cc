#include "common/smtp/client/commands.h"

namespace postern::smtp::client {
namespace {

bool safe_address(std::string_view address) {
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> mail_from_line(std::string_view sender, const MailParams& params) {
  if (!safe_address(sender)) return std::nullopt;
  std::string line = "MAIL FROM:<";
  line += sender;
  line += '>';
  if (params.size > 0) line += " SIZE=" + std::to_string(params.size);
  if (params.eight_bit) line += " BODY=8BITMIME";
  if (params.smtputf8) line += " SMTPUTF8";
  line += "\r\n";
  return line;
}

std::optional<std::string> rcpt_to_line(std::string_view recipient) {
  if (recipient.empty() || !safe_address(recipient)) return std::nullopt;
  std::string line = "RCPT TO:<";
  line += recipient;
  line += ">\r\n";
  return line;
}

}  // namespace postern::smtp::client
