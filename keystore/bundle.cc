#include "keystore/bundle.h"

#include <sodium.h>

#include <cstring>
#include <optional>
#include <set>
#include <utility>

#include "keystore/names.h"

namespace postern::keystore {
namespace {

using namespace std::string_view_literals;

// The plaintext's context: the trailing NUL is part of it (23 bytes).
constexpr std::string_view kContext = "postern/v1/dkim-bundle\0"sv;
constexpr unsigned char kPlainVersion = 1;
constexpr std::size_t kPlainHeaderBytes = kContext.size() + 1 + 2;
constexpr std::size_t kMaxDerBytes = 0xffff;

constexpr std::string_view kPasswordMagic = "PKDP";
constexpr std::string_view kRecipientMagic = "PKDR";
constexpr unsigned char kVersion = 1;
constexpr unsigned char kKdfArgon2id13 = 1;
constexpr std::size_t kSaltBytes = crypto_pwhash_SALTBYTES;
constexpr std::size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr std::size_t kCheckBytes = 16;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kDerivedBytes = kKeyBytes + kCheckBytes;
// Offsets of the password bundle's header.
constexpr std::size_t kOpsAt = kPasswordMagic.size() + 2;
constexpr std::size_t kMemAt = kOpsAt + 8;
constexpr std::size_t kSaltAt = kMemAt + 8;
constexpr std::size_t kCheckAt = kSaltAt + kSaltBytes;
constexpr std::size_t kNonceAt = kCheckAt + kCheckBytes;
constexpr std::size_t kPasswordHeaderBytes = kNonceAt + kNonceBytes;
constexpr std::size_t kRecipientHeaderBytes = kRecipientMagic.size() + 1;

static_assert(kSaltBytes == 16);
static_assert(kContext.size() == 23);
static_assert(kPasswordHeaderBytes == 78);

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

void put_u64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

uint64_t get_be(std::string_view in, std::size_t bytes) {
  uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

// Appends big-endian integers to a buffer being filled in guarded memory.
class Writer {
 public:
  explicit Writer(unsigned char* out) : p_(out) {}
  void be(uint64_t v, std::size_t bytes) {
    for (std::size_t i = bytes; i-- > 0;) *p_++ = static_cast<unsigned char>(v >> (8 * i));
  }
  void raw(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }

 private:
  unsigned char* p_;
};

// Reads a plaintext front to back; every read checks the remaining length first.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool be(std::size_t bytes, uint64_t& v) {
    if (in_.size() < bytes) return false;
    v = get_be(in_, bytes);
    in_.remove_prefix(bytes);
    return true;
  }
  bool raw(std::size_t bytes, std::string_view& s) {
    if (in_.size() < bytes) return false;
    s = in_.substr(0, bytes);
    in_.remove_prefix(bytes);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

bool limits_acceptable(const PasswordLimits& l) {
  return l.opslimit >= crypto_pwhash_OPSLIMIT_INTERACTIVE &&
         l.opslimit <= crypto_pwhash_OPSLIMIT_SENSITIVE &&
         l.memlimit >= crypto_pwhash_MEMLIMIT_INTERACTIVE &&
         l.memlimit <= crypto_pwhash_MEMLIMIT_SENSITIVE;
}

std::optional<Error> check_password(std::string_view password) {
  if (password.empty()) {
    return make_error(Errc::invalid_argument, "this DKIM bundle is protected by a password");
  }
  if (password.size() > kMaxPasswordBytes) {
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

std::optional<Error> check_entry(const BundleEntry& e, Errc code) {
  Result<DkimName> name = normalize_dkim_name(e.domain, e.selector);
  if (!name.ok()) return make_error(code, "DKIM bundle entry: " + name.error().message);
  if (name.value().domain != e.domain || name.value().selector != e.selector) {
    return make_error(code, "DKIM bundle entry with a name that is not normalized");
  }
  if (e.der.empty() || e.der.size() > kMaxDerBytes) {
    return make_error(code, "DKIM bundle entry with a key of a bad size");
  }
  return std::nullopt;
}

Result<SecretBytes> open_password_bundle(std::string_view file, std::string_view password) {
  if (std::optional<Error> bad = check_password(password)) return *bad;
  if (file.size() < kPasswordHeaderBytes + kTagBytes + 1) {
    return make_error(Errc::malformed, "DKIM bundle is truncated");
  }
  if (static_cast<unsigned char>(file[kPasswordMagic.size() + 1]) != kKdfArgon2id13) {
    return make_error(Errc::unsupported_version, "DKIM bundle uses an unknown password KDF");
  }
  const std::string_view ct = file.substr(kPasswordHeaderBytes);
  if (ct.size() > kMaxSecretBytes + kTagBytes) {
    return make_error(Errc::malformed, "DKIM bundle is larger than this build opens");
  }
  const PasswordLimits limits{get_be(file.substr(kOpsAt), 8), get_be(file.substr(kMemAt), 8)};
  if (!limits_acceptable(limits)) {
    return make_error(Errc::invalid_argument,
                      "DKIM bundle asks for Argon2id limits outside INTERACTIVE..SENSITIVE");
  }
  if (!sodium_ready()) return make_error(Errc::resource, "libsodium could not be initialised");
  Result<SecretBytes> derived = derive(password, u8(file) + kSaltAt, limits);
  if (!derived.ok()) return derived.error();
  const SecretBytes::View dk = derived.value().view();
  if (sodium_memcmp(dk.data() + kKeyBytes, u8(file) + kCheckAt, kCheckBytes) != 0) {
    return make_error(Errc::wrong_password, "wrong password for this DKIM bundle");
  }
  // Decrypted straight into guarded memory; libsodium checks the tag before writing.
  return SecretBytes::fill(
      ct.size() - kTagBytes, [&](unsigned char* out, std::size_t n) -> std::optional<Error> {
        unsigned long long len = 0;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &len, nullptr, u8(ct), ct.size(),
                                                       u8(file), kPasswordHeaderBytes,
                                                       u8(file) + kNonceAt, dk.data()) != 0 ||
            len != n) {
          return make_error(Errc::tampered,
                            "the DKIM bundle was altered: the password is right but the "
                            "contents do not authenticate");
        }
        return std::nullopt;
      });
}

}  // namespace

Result<SecretBytes> encode_bundle(const std::vector<BundleEntry>& entries) {
  if (entries.empty() || entries.size() > kMaxBundleKeys) {
    return make_error(Errc::invalid_argument, "a DKIM bundle holds 1 to 4096 keys");
  }
  std::size_t size = kPlainHeaderBytes;
  for (const BundleEntry& e : entries) {
    if (std::optional<Error> bad = check_entry(e, Errc::invalid_argument)) return *bad;
    size += 1 + e.domain.size() + 1 + e.selector.size() + 8 + 2 + e.der.size();
  }
  if (size > kMaxSecretBytes) {
    return make_error(Errc::invalid_argument,
                      "these keys do not fit in one DKIM bundle (64 KiB): export fewer at a "
                      "time, e.g. per domain");
  }
  return SecretBytes::fill(size, [&](unsigned char* out, std::size_t) -> std::optional<Error> {
    Writer w(out);
    w.raw(kContext);
    w.be(kPlainVersion, 1);
    w.be(entries.size(), 2);
    for (const BundleEntry& e : entries) {
      w.be(e.domain.size(), 1);
      w.raw(e.domain);
      w.be(e.selector.size(), 1);
      w.raw(e.selector);
      w.be(static_cast<uint64_t>(e.created_unix), 8);
      w.be(e.der.size(), 2);
      w.raw(e.der);
    }
    return std::nullopt;
  });
}

Result<std::vector<BundleEntry>> parse_bundle(std::string_view plaintext) {
  if (plaintext.substr(0, kContext.size()) != kContext) {
    return make_error(Errc::malformed, "the protected contents are not a DKIM bundle");
  }
  Reader r(plaintext.substr(kContext.size()));
  uint64_t version = 0;
  uint64_t count = 0;
  if (!r.be(1, version)) return make_error(Errc::malformed, "DKIM bundle is truncated");
  if (version != kPlainVersion) {
    return make_error(Errc::unsupported_version,
                      "DKIM bundle contents version not supported by this build");
  }
  if (!r.be(2, count)) return make_error(Errc::malformed, "DKIM bundle is truncated");
  if (count == 0 || count > kMaxBundleKeys) {
    return make_error(Errc::malformed, "DKIM bundle with a bad key count");
  }
  std::vector<BundleEntry> entries;
  entries.reserve(count);
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (uint64_t i = 0; i < count; ++i) {
    BundleEntry e;
    uint64_t len = 0;
    uint64_t created = 0;
    if (!r.be(1, len) || !r.raw(len, e.domain) || !r.be(1, len) || !r.raw(len, e.selector) ||
        !r.be(8, created) || !r.be(2, len) || !r.raw(len, e.der)) {
      return make_error(Errc::malformed, "DKIM bundle is truncated");
    }
    e.created_unix = static_cast<int64_t>(created);
    if (std::optional<Error> bad = check_entry(e, Errc::malformed)) return *bad;
    if (!seen.emplace(e.domain, e.selector).second) {
      return make_error(Errc::malformed, "DKIM bundle lists a key twice");
    }
    entries.push_back(e);
  }
  if (!r.done()) return make_error(Errc::malformed, "DKIM bundle has trailing bytes");
  return entries;
}

Result<std::string> protect_bundle_with_password(const SecretBytes& plaintext,
                                                 std::string_view password,
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

  std::string out(kPasswordMagic);
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(kKdfArgon2id13));
  put_u64(out, limits.opslimit);
  put_u64(out, limits.memlimit);
  out.append(reinterpret_cast<const char*>(salt), sizeof salt);
  out.append(reinterpret_cast<const char*>(dk.data() + kKeyBytes), kCheckBytes);
  out.append(reinterpret_cast<const char*>(nonce), sizeof nonce);
  const SecretBytes::View plain = plaintext.view();
  out.resize(kPasswordHeaderBytes + plain.size() + kTagBytes);
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(
          reinterpret_cast<unsigned char*>(out.data()) + kPasswordHeaderBytes, &written,
          plain.data(), plain.size(), u8(out), kPasswordHeaderBytes, nullptr, nonce,
          dk.data()) != 0 ||
      written != plain.size() + kTagBytes) {
    return make_error(Errc::resource, "XChaCha20-Poly1305 encryption failed");
  }
  return out;
}

Result<std::string> protect_bundle_for(std::string_view recipient_public_key,
                                       const SecretBytes& plaintext) {
  const SecretBytes::View plain = plaintext.view();
  Result<std::string> sealed = seal_for(recipient_public_key, plain.bytes());
  if (!sealed.ok()) return sealed.error();
  std::string out(kRecipientMagic);
  out.push_back(static_cast<char>(kVersion));
  out.append(sealed.value());
  return out;
}

Result<BundleKind> bundle_kind(std::string_view file) {
  const std::string_view magic = file.substr(0, 4);
  BundleKind kind;
  if (magic == kPasswordMagic) {
    kind = BundleKind::password;
  } else if (magic == kRecipientMagic) {
    kind = BundleKind::recipient;
  } else {
    return make_error(Errc::malformed, "not a Postern DKIM bundle");
  }
  if (file.size() < 5) return make_error(Errc::malformed, "DKIM bundle is truncated");
  if (static_cast<unsigned char>(file[4]) != kVersion) {
    return make_error(Errc::unsupported_version, "DKIM bundle version not supported by this build");
  }
  return kind;
}

Result<SecretBytes> open_bundle(std::string_view file, std::string_view password,
                                const Identity& identity) {
  Result<BundleKind> kind = bundle_kind(file);
  if (!kind.ok()) return kind.error();
  if (kind.value() == BundleKind::password) return open_password_bundle(file, password);
  Result<SecretBytes> plain = identity.open_sealed(file.substr(kRecipientHeaderBytes));
  if (!plain.ok()) {
    const Error& e = plain.error();
    if (e.code == Errc::authentication_failed) {
      return make_error(Errc::authentication_failed,
                        "DKIM bundle does not open: it was sealed for another keystore's "
                        "identity, or altered");
    }
    return make_error(e.code, "DKIM bundle: " + e.message);
  }
  return plain;
}

}  // namespace postern::keystore
