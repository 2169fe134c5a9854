// Small ASCII helpers shared by the DMARC parsers (internal to postern_dmarc_codec).
#pragma once

#include <string>
#include <string_view>

namespace postern::mailauth::dmarc::text {

inline bool wsp(char c) { return c == ' ' || c == '\t'; }
inline bool digit(char c) { return c >= '0' && c <= '9'; }
inline bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && wsp(s.back())) s.remove_suffix(1);
  return s;
}

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Lower-case, one trailing dot removed: the form every domain comparison here uses.
inline std::string normalise_domain(std::string_view d) {
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  return to_lower(d);
}

}  // namespace postern::mailauth::dmarc::text
