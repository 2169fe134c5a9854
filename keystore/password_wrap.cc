#include "keystore/password_wrap.h"

#include <sodium.h>

#include <optional>

namespace postern::keystore {
namespace {

constexpr std::string_view kMagic = "PNEK";
constexpr unsigned char kVersion = 1;
constexpr unsigned char kKdfArgon2id13 = 1;
constexpr std::size_t kSaltBytes = crypto_pwhash_SALTBYTES;
constexpr std::size_t kCheckBytes = 16;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kDerivedBytes = kNekBytes + kCheckBytes;
// Offsets of the fixed part.
constexpr std::size_t kOpsAt = kMagic.size() + 2;
constexpr std::size_t kMemAt = kOpsAt + 8;
constexpr std::size_t kSaltAt = kMemAt + 8;
constexpr std::size_t kCheckAt = kSaltAt + kSaltBytes;
constexpr std::size_t kNonceAt = kCheckAt + kCheckBytes;
constexpr std::size_t kNameLenAt = kNonceAt + kNonceBytes;
constexpr std::size_t kCiphertextBytes = kNekBytes + kTagBytes;

static_assert(kSaltBytes == 16);

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

void put_u64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

uint64_t get_u64(std::string_view in) {
  uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

bool limits_acceptable(const PasswordLimits& l) {
  return l.opslimit >= crypto_pwhash_OPSLIMIT_INTERACTIVE &&
         l.opslimit <= crypto_pwhash_OPSLIMIT_SENSITIVE &&
         l.memlimit >= crypto_pwhash_MEMLIMIT_INTERACTIVE &&
         l.memlimit <= crypto_pwhash_MEMLIMIT_SENSITIVE;
}

// Argon2id output (key, then check) in guarded memory.
Result<SecretBytes> derive(std::string_view password, const unsigned char* salt,
                           const PasswordLimits& limits) {
  return SecretBytes::fill(kDerivedBytes,
                           [&](unsigned char* out, std::size_t n) -> std::optional<Error> {
                             if (crypto_pwhash(out, n, password.data(), password.size(), salt,
                                               limits.opslimit,
                                               static_cast<std::size_t>(limits.memlimit),
                                               crypto_pwhash_ALG_ARGON2ID13) != 0) {
                               return make_error(Errc::resource,
                                                 "Argon2id failed (out of memory?)");
                             }
                             return std::nullopt;
                           });
}

std::optional<Error> check_password(std::string_view password) {
  if (password.empty() || password.size() > kMaxPasswordBytes) {
    return make_error(Errc::invalid_argument, "the password must be 1 to 4096 bytes");
  }
  return std::nullopt;
}

}  // namespace

PasswordLimits PasswordLimits::moderate() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

PasswordLimits PasswordLimits::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Result<std::string> export_nek(const Nek& nek, std::string_view password,
                               PasswordLimits limits) {
  if (std::optional<Error> bad = check_password(password)) return *bad;
  if (!limits_acceptable(limits)) {
    return make_error(Errc::invalid_argument,
                      "Argon2id limits must lie between INTERACTIVE and SENSITIVE");
  }
  if (!sodium_ready()) return make_error(Errc::resource, "libsodium could not be initialised");
  unsigned char salt[kSaltBytes];
  unsigned char nonce[kNonceBytes];
  randombytes_buf(salt, sizeof salt);
  randombytes_buf(nonce, sizeof nonce);
  Result<SecretBytes> derived = derive(password, salt, limits);
  if (!derived.ok()) return derived.error();
  const SecretBytes::View dk = derived.value().view();

  std::string out(kMagic);
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(kKdfArgon2id13));
  put_u64(out, limits.opslimit);
  put_u64(out, limits.memlimit);
  out.append(reinterpret_cast<const char*>(salt), sizeof salt);
  out.append(reinterpret_cast<const char*>(dk.data() + kNekBytes), kCheckBytes);
  out.append(reinterpret_cast<const char*>(nonce), sizeof nonce);
  out.push_back(static_cast<char>(nek.name().size()));  // <= kMaxNekNameBytes (64)
  out.append(nek.name());
  const std::size_t header = out.size();
  out.resize(header + kCiphertextBytes);
  unsigned long long written = 0;
  const SecretBytes::View key = nek.key().view();
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(
          reinterpret_cast<unsigned char*>(out.data()) + header, &written, key.data(),
          key.size(), u8(out), header, nullptr, nonce, dk.data()) != 0 ||
      written != kCiphertextBytes) {
    return make_error(Errc::resource, "XChaCha20-Poly1305 encryption failed");
  }
  return out;
}

Result<Nek> import_nek(std::string_view file, std::string_view password) {
  if (std::optional<Error> bad = check_password(password)) return *bad;
  if (file.size() < kMagic.size() + 1 || file.substr(0, kMagic.size()) != kMagic) {
    return make_error(Errc::malformed, "not a Postern NEK file");
  }
  if (static_cast<unsigned char>(file[kMagic.size()]) != kVersion) {
    return make_error(Errc::unsupported_version, "NEK file version not supported by this build");
  }
  if (file.size() < kNameLenAt + 1) return make_error(Errc::malformed, "NEK file is truncated");
  if (static_cast<unsigned char>(file[kMagic.size() + 1]) != kKdfArgon2id13) {
    return make_error(Errc::unsupported_version, "NEK file uses an unknown password KDF");
  }
  const std::size_t name_len = static_cast<unsigned char>(file[kNameLenAt]);
  const std::size_t header = kNameLenAt + 1 + name_len;
  if (file.size() != header + kCiphertextBytes) {
    return make_error(Errc::malformed, file.size() < header + kCiphertextBytes
                                           ? "NEK file is truncated"
                                           : "NEK file has trailing bytes");
  }
  const std::string_view name = file.substr(kNameLenAt + 1, name_len);
  if (!valid_nek_name(name)) return make_error(Errc::malformed, "NEK file has an invalid name");
  const PasswordLimits limits{get_u64(file.substr(kOpsAt)), get_u64(file.substr(kMemAt))};
  if (!limits_acceptable(limits)) {
    return make_error(Errc::invalid_argument,
                      "NEK file asks for Argon2id limits outside INTERACTIVE..SENSITIVE");
  }
  if (!sodium_ready()) return make_error(Errc::resource, "libsodium could not be initialised");

  Result<SecretBytes> derived = derive(password, u8(file) + kSaltAt, limits);
  if (!derived.ok()) return derived.error();
  const SecretBytes::View dk = derived.value().view();
  if (sodium_memcmp(dk.data() + kNekBytes, u8(file) + kCheckAt, kCheckBytes) != 0) {
    return make_error(Errc::wrong_password, "wrong password for this NEK file");
  }
  const std::string_view ct = file.substr(header);
  Result<SecretBytes> key = SecretBytes::fill(
      kNekBytes, [&](unsigned char* out, std::size_t n) -> std::optional<Error> {
        unsigned long long len = 0;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &len, nullptr, u8(ct), ct.size(),
                                                       u8(file), header, u8(file) + kNonceAt,
                                                       dk.data()) != 0 ||
            len != n) {
          return make_error(Errc::tampered,
                            "the NEK file was altered: the password is right but the contents "
                            "do not authenticate");
        }
        return std::nullopt;
      });
  if (!key.ok()) return key.error();
  return Nek::from_secret(name, std::move(key).value());
}

}  // namespace postern::keystore
