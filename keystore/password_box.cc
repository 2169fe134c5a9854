#include "keystore/password_box.h"

#include <sodium.h>

#include <optional>
#include <utility>

namespace postern::keystore {
namespace {

constexpr std::size_t kMagicBytes = 4;
constexpr unsigned char kKdfArgon2id13 = 1;
constexpr std::size_t kSaltBytes = crypto_pwhash_SALTBYTES;
constexpr std::size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr std::size_t kCheckBytes = 16;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kDerivedBytes = kKeyBytes + kCheckBytes;
// Offsets of the fixed header.
constexpr std::size_t kKdfAt = kMagicBytes + 1;
constexpr std::size_t kOpsAt = kKdfAt + 1;
constexpr std::size_t kMemAt = kOpsAt + 8;
constexpr std::size_t kSaltAt = kMemAt + 8;
constexpr std::size_t kCheckAt = kSaltAt + kSaltBytes;
constexpr std::size_t kNonceAt = kCheckAt + kCheckBytes;

static_assert(kSaltBytes == 16);
static_assert(kNonceAt + kNonceBytes == kPasswordBoxFixedBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kPasswordBoxTagBytes);

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

std::optional<Error> check_password(std::string_view password) {
  if (password.empty() || password.size() > kMaxPasswordBytes) {
    return make_error(Errc::invalid_argument, "the password must be 1 to 4096 bytes");
  }
  return std::nullopt;
}

// Argon2id output (AEAD key, then password check) in guarded memory.
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

}  // namespace

Result<std::string> seal_password_box(const PasswordBoxFormat& format, std::string_view extras,
                                      std::string_view plaintext, std::string_view password,
                                      const PasswordLimits& limits) {
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

  std::string out(format.magic);
  out.push_back(static_cast<char>(format.version));
  out.push_back(static_cast<char>(kKdfArgon2id13));
  put_u64(out, limits.opslimit);
  put_u64(out, limits.memlimit);
  out.append(reinterpret_cast<const char*>(salt), sizeof salt);
  out.append(reinterpret_cast<const char*>(dk.data() + kKeyBytes), kCheckBytes);
  out.append(reinterpret_cast<const char*>(nonce), sizeof nonce);
  out.append(extras);
  const std::size_t header = out.size();
  out.resize(header + plaintext.size() + kPasswordBoxTagBytes);
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(
          reinterpret_cast<unsigned char*>(out.data()) + header, &written, u8(plaintext),
          plaintext.size(), u8(out), header, nullptr, nonce, dk.data()) != 0 ||
      written != plaintext.size() + kPasswordBoxTagBytes) {
    return make_error(Errc::resource, "XChaCha20-Poly1305 encryption failed");
  }
  return out;
}

Result<OpenedPasswordBox> open_password_box(const PasswordBoxFormat& format,
                                            std::string_view file, std::string_view password) {
  const std::string what(format.what);
  if (std::optional<Error> bad = check_password(password)) return *bad;
  if (file.size() < kMagicBytes + 1 || file.substr(0, kMagicBytes) != format.magic) {
    return make_error(Errc::malformed, "not a Postern " + what);
  }
  if (static_cast<unsigned char>(file[kMagicBytes]) != format.version) {
    return make_error(Errc::unsupported_version, what + " version not supported by this build");
  }
  if (file.size() < kPasswordBoxFixedBytes + format.min_tail) {
    return make_error(Errc::malformed, what + " is truncated");
  }
  if (static_cast<unsigned char>(file[kKdfAt]) != kKdfArgon2id13) {
    return make_error(Errc::unsupported_version, what + " uses an unknown password KDF");
  }
  const std::string_view tail = file.substr(kPasswordBoxFixedBytes);
  std::size_t extras_bytes = 0;
  if (format.extras_length) {
    Result<std::size_t> n = format.extras_length(tail);
    if (!n.ok()) return n.error();
    extras_bytes = n.value();
  }
  if (tail.size() < extras_bytes + kPasswordBoxTagBytes + 1) {
    return make_error(Errc::malformed, what + " is truncated");
  }
  const std::size_t header = kPasswordBoxFixedBytes + extras_bytes;
  const std::string_view ct = file.substr(header);
  if (ct.size() > format.max_plaintext + kPasswordBoxTagBytes) {
    return make_error(Errc::malformed, what + " is larger than this build opens");
  }
  const PasswordLimits limits{get_u64(file.substr(kOpsAt)), get_u64(file.substr(kMemAt))};
  if (!limits_acceptable(limits)) {
    return make_error(Errc::invalid_argument,
                      what + " asks for Argon2id limits outside INTERACTIVE..SENSITIVE");
  }
  if (!sodium_ready()) return make_error(Errc::resource, "libsodium could not be initialised");

  Result<SecretBytes> derived = derive(password, u8(file) + kSaltAt, limits);
  if (!derived.ok()) return derived.error();
  const SecretBytes::View dk = derived.value().view();
  if (sodium_memcmp(dk.data() + kKeyBytes, u8(file) + kCheckAt, kCheckBytes) != 0) {
    return make_error(Errc::wrong_password, "wrong password for this " + what);
  }
  // Decrypted straight into guarded memory; libsodium checks the tag before writing.
  Result<SecretBytes> plain = SecretBytes::fill(
      ct.size() - kPasswordBoxTagBytes,
      [&](unsigned char* out, std::size_t n) -> std::optional<Error> {
        unsigned long long len = 0;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &len, nullptr, u8(ct), ct.size(),
                                                       u8(file), header, u8(file) + kNonceAt,
                                                       dk.data()) != 0 ||
            len != n) {
          return make_error(Errc::tampered, "the " + what +
                                                " was altered: the password is right but the "
                                                "contents do not authenticate");
        }
        return std::nullopt;
      });
  if (!plain.ok()) return plain.error();
  return OpenedPasswordBox{file.substr(kPasswordBoxFixedBytes, extras_bytes),
                           std::move(plain).value()};
}

}  // namespace postern::keystore
