#include "keystore/seal.h"

#include <sodium.h>

#include <algorithm>
#include <optional>

namespace postern::keystore {
namespace {

constexpr std::string_view kMagic = "PKSE";
constexpr unsigned char kVersion = 1;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kHeaderBytes = kMagic.size() + 1 + kNonceBytes;

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::optional<Error> check_id(const EntryId& id) {
  if (id.kind.empty() || id.kind.size() > kMaxEntryKindBytes) {
    return make_error(Errc::invalid_argument, "entry kind must be 1 to 32 characters");
  }
  for (const char c : id.kind) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return make_error(Errc::invalid_argument, "entry kind must be of [a-z0-9-]");
    }
  }
  if (id.name.empty() || id.name.size() > kMaxEntryNameBytes) {
    return make_error(Errc::invalid_argument, "entry name must be 1 to 1024 bytes");
  }
  return std::nullopt;
}

}  // namespace

std::string entry_associated_data(const EntryId& id) {
  std::string ad = "postern/v1/";
  ad.append(id.kind);
  ad.push_back('\0');
  ad.append(id.name);
  return ad;
}

Result<std::string> seal(const Nek& nek, const EntryId& id, std::string_view plaintext) {
  if (std::optional<Error> bad = check_id(id)) return *bad;
  if (plaintext.empty() || plaintext.size() > kMaxSecretBytes) {
    return make_error(Errc::invalid_argument, "entry plaintext size out of range");
  }
  const std::string ad = entry_associated_data(id);
  std::string out(kHeaderBytes + plaintext.size() + kTagBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  std::copy(kMagic.begin(), kMagic.end(), out.begin());
  o[kMagic.size()] = kVersion;
  unsigned char* nonce = o + kMagic.size() + 1;
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long written = 0;
  const SecretBytes::View key = nek.key().view();
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(o + kHeaderBytes, &written, u8(plaintext),
                                                 plaintext.size(), u8(ad), ad.size(), nullptr,
                                                 nonce, key.data()) != 0 ||
      written != plaintext.size() + kTagBytes) {
    return make_error(Errc::resource, "XChaCha20-Poly1305 encryption failed");
  }
  return out;
}

Result<SecretBytes> open(const Nek& nek, const EntryId& id, std::string_view sealed) {
  if (std::optional<Error> bad = check_id(id)) return *bad;
  if (sealed.size() < kMagic.size() + 1 || sealed.substr(0, kMagic.size()) != kMagic) {
    return make_error(Errc::malformed, "not a sealed keystore entry");
  }
  if (static_cast<unsigned char>(sealed[kMagic.size()]) != kVersion) {
    return make_error(Errc::unsupported_version, "sealed entry has an unsupported version");
  }
  if (sealed.size() < kHeaderBytes + kTagBytes + 1) {
    return make_error(Errc::malformed, "sealed entry is truncated");
  }
  if (sealed.size() > kHeaderBytes + kTagBytes + kMaxSecretBytes) {
    return make_error(Errc::malformed, "sealed entry is larger than any entry the keystore seals");
  }
  const std::string ad = entry_associated_data(id);
  const unsigned char* nonce = u8(sealed) + kMagic.size() + 1;
  const std::string_view ct = sealed.substr(kHeaderBytes);
  const SecretBytes::View key = nek.key().view();
  // Decrypted straight into guarded memory; libsodium checks the tag before writing any
  // plaintext, and a failed fill wipes and frees the buffer, so nothing partial escapes.
  return SecretBytes::fill(
      ct.size() - kTagBytes, [&](unsigned char* out, std::size_t n) -> std::optional<Error> {
        unsigned long long len = 0;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &len, nullptr, u8(ct), ct.size(),
                                                       u8(ad), ad.size(), nonce,
                                                       key.data()) != 0 ||
            len != n) {
          return make_error(Errc::authentication_failed,
                            "sealed entry does not open: wrong NEK, another entry's data, or "
                            "altered bytes");
        }
        return std::nullopt;
      });
}

}  // namespace postern::keystore
