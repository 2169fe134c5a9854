#include "common/dnsbl/reply_text.h"

namespace postern::dnsbl {

std::string sanitize(std::string_view text, std::size_t max_length) {
  std::string out;
  out.reserve(std::min(text.size(), max_length));
  bool space = false;
  for (const char raw : text) {
    const auto c = static_cast<unsigned char>(raw);
    if (c <= 0x20 || c >= 0x7f) {
      space = !out.empty();  // leading blanks vanish; a run becomes one space
      continue;
    }
    if (space) {
      if (out.size() + 1 >= max_length) break;
      out += ' ';
      space = false;
    }
    if (out.size() >= max_length) break;
    out += static_cast<char>(c);
  }
  return out;
}

std::string format_reply(std::string_view templ, std::string_view client_host,
                         std::string_view zone) {
  std::string out;
  int used = 0;
  for (std::size_t i = 0; i < templ.size(); ++i) {
    if (templ[i] == '%' && i + 1 < templ.size()) {
      if (templ[i + 1] == 's') {
        if (used == 0) out += client_host;
        if (used == 1) out += zone;
        ++used;
        ++i;
        continue;
      }
      if (templ[i + 1] == '%') {
        out += '%';
        ++i;
        continue;
      }
    }
    out += templ[i];
    if (out.size() > 4 * kMaxReplyText) break;  // the rest would be cut anyway
  }
  return sanitize(out);
}

}  // namespace postern::dnsbl
