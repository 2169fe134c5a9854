#include "keystore/nek.h"

#include <sodium.h>

#include <utility>

namespace postern::keystore {
namespace {

static_assert(kNekBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

constexpr std::string_view kFingerprintContext = "postern/v1/nek-fingerprint";
constexpr std::size_t kFingerprintBytes = 16;

Result<std::string> fingerprint_of(const SecretBytes& key) {
  unsigned char hash[32];
  const SecretBytes::View v = key.view();
  // crypto_generichash is BLAKE2b; the context is its key. Output 32 bytes, the first 16 shown.
  if (crypto_generichash(hash, sizeof hash, v.data(), v.size(),
                         reinterpret_cast<const unsigned char*>(kFingerprintContext.data()),
                         kFingerprintContext.size()) != 0) {
    return make_error(Errc::resource, "BLAKE2b failed");
  }
  return grouped_hex(std::string_view(reinterpret_cast<const char*>(hash), kFingerprintBytes));
}

}  // namespace

bool valid_nek_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNekNameBytes) return false;
  for (const char c : name) {
    if (c <= 0x20 || c >= 0x7f) return false;  // printable ASCII, no space
  }
  return true;
}

std::string grouped_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2 + bytes.size() / 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0 && i % 2 == 0) out += ' ';
    const auto b = static_cast<unsigned char>(bytes[i]);
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

Result<Nek> Nek::from_secret(std::string_view name, SecretBytes key) {
  if (!valid_nek_name(name)) {
    return make_error(Errc::invalid_argument,
                      "a NEK name is 1 to 64 printable ASCII characters without spaces");
  }
  if (key.size() != kNekBytes) {
    return make_error(Errc::invalid_argument, "a NEK is exactly 32 bytes");
  }
  Result<std::string> fp = fingerprint_of(key);
  if (!fp.ok()) return fp.error();
  return Nek(std::string(name), std::move(key), std::move(fp).value());
}

Result<Nek> Nek::generate(std::string_view name) {
  Result<SecretBytes> key = SecretBytes::random(kNekBytes);
  if (!key.ok()) return key.error();
  return from_secret(name, std::move(key).value());
}

Result<Nek> Nek::from_bytes(std::string_view name, std::string_view raw32) {
  if (raw32.size() != kNekBytes) {
    return make_error(Errc::invalid_argument, "a NEK is exactly 32 bytes");
  }
  Result<SecretBytes> key = SecretBytes::copy_of(raw32);
  if (!key.ok()) return key.error();
  return from_secret(name, std::move(key).value());
}

}  // namespace postern::keystore
