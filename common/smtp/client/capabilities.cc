#include "common/smtp/client/capabilities.h"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace postern::smtp::client {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

void add_auth(Capabilities& caps, const std::vector<std::string>& mechanisms, std::size_t from) {
  for (std::size_t i = from; i < mechanisms.size(); ++i) {
    std::string m = upper(mechanisms[i]);
    if (!caps.has_auth(m)) caps.auth.push_back(std::move(m));
  }
}

}  // namespace

bool Capabilities::has_auth(const std::string& mechanism) const {
  return std::find(auth.begin(), auth.end(), mechanism) != auth.end();
}

Capabilities parse_ehlo(const Reply& reply) {
  Capabilities caps;
  caps.esmtp = reply.positive();
  if (!caps.esmtp) return caps;
  const auto& lines = reply.lines();
  for (std::size_t n = 1; n < lines.size(); ++n) {
    auto w = words(lines[n]);
    if (w.empty()) continue;
    const std::string key = upper(w[0]);
    if (key == "PIPELINING") caps.pipelining = true;
    else if (key == "STARTTLS") caps.starttls = true;
    else if (key == "8BITMIME") caps.eight_bit_mime = true;
    else if (key == "SMTPUTF8") caps.smtputf8 = true;
    else if (key == "ENHANCEDSTATUSCODES") caps.enhanced_status_codes = true;
    else if (key == "CHUNKING") caps.chunking = true;
    else if (key == "SIZE") {
      caps.size = true;
      if (w.size() > 1) {
        uint64_t v = 0;
        auto [p, ec] = std::from_chars(w[1].data(), w[1].data() + w[1].size(), v);
        if (ec == std::errc() && p == w[1].data() + w[1].size()) caps.max_size = v;
      }
    } else if (key == "AUTH") {
      add_auth(caps, w, 1);
    } else if (key.rfind("AUTH=", 0) == 0) {
      w[0] = w[0].substr(5);
      add_auth(caps, w, 0);
    }
  }
  return caps;
}

}  // namespace postern::smtp::client
