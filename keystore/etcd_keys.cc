#include "keystore/etcd_keys.h"

#include "keystore/seal.h"  // kMaxEntryNameBytes
#include "keystore/store.h"

namespace postern::keystore::etcd_keys {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case is not ours: one spelling per name
}

}  // namespace

std::string check_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > kMaxPrefixBytes) {
    return "the etcd key prefix is 1 to 256 bytes";
  }
  for (char c : prefix) {
    if (c < 0x21 || c > 0x7e) return "the etcd key prefix is printable ASCII without spaces";
  }
  if (prefix.back() != '/') return "the etcd key prefix ends with \"/\"";
  return {};
}

std::string kind_prefix(std::string_view prefix, std::string_view kind) {
  std::string key;
  key.reserve(prefix.size() + kind.size() + 1);
  key.append(prefix).append(kind).push_back('/');
  return key;
}

std::string entry_key(std::string_view prefix, std::string_view kind, std::string_view name) {
  std::string key = kind_prefix(prefix, kind);
  key.reserve(key.size() + 2 * name.size());
  for (char c : name) {
    const auto b = static_cast<unsigned char>(c);
    key.push_back(kHex[b >> 4]);
    key.push_back(kHex[b & 0x0f]);
  }
  return key;
}

std::string prefix_range_end(std::string_view key_prefix) {
  std::string end(key_prefix);
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last != 0xff) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');
}

std::optional<DecodedKey> decode_key(std::string_view prefix, std::string_view key) {
  if (!key.starts_with(prefix)) return std::nullopt;
  key.remove_prefix(prefix.size());
  const std::size_t slash = key.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  DecodedKey out;
  out.kind = std::string(key.substr(0, slash));
  if (!valid_store_kind(out.kind)) return std::nullopt;
  const std::string_view hex = key.substr(slash + 1);
  if (hex.empty() || hex.size() % 2 != 0 || hex.size() > 2 * kMaxEntryNameBytes) {
    return std::nullopt;
  }
  out.name.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_value(hex[i]);
    const int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.name.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

}  // namespace postern::keystore::etcd_keys
