#include "common/encoding/base64.h"

#include <cstdint>

namespace postern::encoding {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The 6-bit value of an alphabet character, or -1.
int value_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = bytes.size() - i < 3 ? bytes.size() - i : 3;
    std::uint32_t triple = std::uint32_t(static_cast<unsigned char>(bytes[i])) << 16;
    if (n > 1) triple |= std::uint32_t(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (n > 2) triple |= std::uint32_t(static_cast<unsigned char>(bytes[i + 2]));
    out += kAlphabet[(triple >> 18) & 63];
    out += kAlphabet[(triple >> 12) & 63];
    out += n > 1 ? kAlphabet[(triple >> 6) & 63] : '=';
    out += n > 2 ? kAlphabet[triple & 63] : '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last_quantum = i + 4 == text.size();
    std::uint32_t triple = 0;
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      triple <<= 6;
      if (c == '=') {
        // Padding: only in the last quantum, only its last one or two characters.
        if (!last_quantum || k < 2) return std::nullopt;
        ++pad;
        continue;
      }
      const int v = value_of(c);
      if (v < 0 || pad > 0) return std::nullopt;  // not alphabet, or data after "="
      triple |= static_cast<std::uint32_t>(v);
    }
    out += static_cast<char>((triple >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((triple >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(triple & 0xFF);
  }
  return out;
}

}  // namespace postern::encoding
