#include "keystore/vault_entries.h"

#include <cstring>
#include <optional>

#include "keystore/nek.h"

namespace postern::keystore {
namespace {

constexpr unsigned char kVersion = 1;
constexpr std::size_t kTimeBytes = 8;

void put_be(unsigned char* out, uint64_t v, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) {
    out[i] = static_cast<unsigned char>(v >> (8 * (bytes - 1 - i)));
  }
}

uint64_t get_be(std::string_view in, std::size_t bytes) {
  uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

// malformed / unsupported_version unless `plaintext` starts with version 1 and holds at least
// `min_size` bytes.
std::optional<Error> check_head(std::string_view plaintext, std::size_t min_size,
                                std::string_view what) {
  if (plaintext.empty()) return make_error(Errc::malformed, std::string(what) + " is empty");
  if (static_cast<unsigned char>(plaintext[0]) != kVersion) {
    return make_error(Errc::unsupported_version,
                      std::string(what) + " version not supported by this build");
  }
  if (plaintext.size() < min_size) {
    return make_error(Errc::malformed, std::string(what) + " is truncated");
  }
  return std::nullopt;
}

}  // namespace

Result<SecretBytes> encode_dkim_entry(int64_t created_unix, std::string_view der) {
  if (der.empty() || der.size() > kMaxSecretBytes - 1 - kTimeBytes) {
    return make_error(Errc::invalid_argument, "DKIM key of a bad size");
  }
  return SecretBytes::fill(1 + kTimeBytes + der.size(),
                           [&](unsigned char* out, std::size_t) -> std::optional<Error> {
                             out[0] = kVersion;
                             put_be(out + 1, static_cast<uint64_t>(created_unix), kTimeBytes);
                             std::memcpy(out + 1 + kTimeBytes, der.data(), der.size());
                             return std::nullopt;
                           });
}

Result<DkimEntryView> parse_dkim_entry(std::string_view plaintext) {
  if (std::optional<Error> bad = check_head(plaintext, 1 + kTimeBytes + 1, "DKIM entry")) {
    return *bad;
  }
  return DkimEntryView{static_cast<int64_t>(get_be(plaintext.substr(1), kTimeBytes)),
                       plaintext.substr(1 + kTimeBytes)};
}

Result<SecretBytes> encode_secret_entry(int64_t updated_unix, std::string_view username,
                                        std::string_view value) {
  if (username.size() > kMaxSecretUsernameBytes) {
    return make_error(Errc::invalid_argument, "a secret's username is at most 1024 bytes");
  }
  if (value.empty() || value.size() > kMaxSecretValueBytes) {
    return make_error(Errc::invalid_argument, "a secret's value is 1 to 16384 bytes");
  }
  const std::size_t head = 1 + kTimeBytes + 2;
  return SecretBytes::fill(head + username.size() + value.size(),
                           [&](unsigned char* out, std::size_t) -> std::optional<Error> {
                             out[0] = kVersion;
                             put_be(out + 1, static_cast<uint64_t>(updated_unix), kTimeBytes);
                             put_be(out + 1 + kTimeBytes, username.size(), 2);
                             std::memcpy(out + head, username.data(), username.size());
                             std::memcpy(out + head + username.size(), value.data(),
                                         value.size());
                             return std::nullopt;
                           });
}

Result<SecretEntryView> parse_secret_entry(std::string_view plaintext) {
  const std::size_t head = 1 + kTimeBytes + 2;
  if (std::optional<Error> bad = check_head(plaintext, head + 1, "secret entry")) return *bad;
  const std::size_t user_len = get_be(plaintext.substr(1 + kTimeBytes), 2);
  if (plaintext.size() < head + user_len + 1) {
    return make_error(Errc::malformed, "secret entry is truncated");
  }
  return SecretEntryView{static_cast<int64_t>(get_be(plaintext.substr(1), kTimeBytes)),
                         plaintext.substr(head, user_len), plaintext.substr(head + user_len)};
}

std::string nek_owner(std::string_view identity_public_key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < kNekOwnerHexDigits / 2 && i < identity_public_key.size(); ++i) {
    const auto b = static_cast<unsigned char>(identity_public_key[i]);
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

std::string nek_entry_name(std::string_view owner, std::string_view nek_name) {
  std::string out(owner);
  out.push_back('\0');
  out.append(nek_name);
  return out;
}

std::optional<NekEntryName> parse_nek_entry_name(std::string_view entry) {
  const std::size_t zero = entry.find('\0');
  if (zero == std::string_view::npos) {
    if (!valid_nek_name(entry)) return std::nullopt;
    return NekEntryName{"", std::string(entry)};
  }
  const std::string_view owner = entry.substr(0, zero);
  const std::string_view nek = entry.substr(zero + 1);
  if (owner.size() != kNekOwnerHexDigits || !valid_nek_name(nek)) return std::nullopt;
  for (const char c : owner) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return NekEntryName{std::string(owner), std::string(nek)};
}

std::string encode_credstore_entry(std::string_view nek_name) {
  std::string out(1, static_cast<char>(kVersion));
  out.append(nek_name);
  return out;
}

Result<std::string> parse_credstore_entry(std::string_view plaintext) {
  if (std::optional<Error> bad = check_head(plaintext, 2, "credential store entry")) {
    return *bad;
  }
  const std::string_view name = plaintext.substr(1);
  if (!valid_nek_name(name)) {
    return make_error(Errc::malformed, "credential store entry names an invalid NEK");
  }
  return std::string(name);
}

}  // namespace postern::keystore
