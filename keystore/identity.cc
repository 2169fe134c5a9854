#include "keystore/identity.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "common/encoding/base64.h"

namespace postern::keystore {
namespace {

constexpr std::string_view kFileMagic = "PKID";
constexpr std::string_view kWrapMagic = "PKNW";
constexpr std::string_view kBoxMagic = "PKBX";
constexpr unsigned char kVersion = 1;
constexpr std::size_t kHeaderBytes = 5;  // magic + version, all three formats
constexpr std::size_t kCheckBytes = 16;
constexpr std::size_t kCheckedBytes = kIdentityFileBytes - kCheckBytes;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr char kWrapKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "PstNekWr";
constexpr uint64_t kWrapKdfSubkeyId = 1;

static_assert(crypto_box_PUBLICKEYBYTES == kIdentityKeyBytes);
static_assert(crypto_box_SECRETKEYBYTES == kIdentityKeyBytes);
static_assert(crypto_kdf_KEYBYTES == kIdentityKeyBytes);
static_assert(crypto_box_SEALBYTES == 48);
static_assert(kWrappedNekBytes ==
              kHeaderBytes + kNonceBytes + kNekBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES);

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string header(std::string_view magic) {
  std::string out(magic);
  out.push_back(static_cast<char>(kVersion));
  return out;
}

// malformed / unsupported_version for a blob that does not start with `magic` version 1.
std::optional<Error> check_header(std::string_view blob, std::string_view magic,
                                  std::string_view what) {
  if (blob.size() < kHeaderBytes || blob.substr(0, magic.size()) != magic) {
    return make_error(Errc::malformed, "not a " + std::string(what));
  }
  if (static_cast<unsigned char>(blob[magic.size()]) != kVersion) {
    return make_error(Errc::unsupported_version,
                      std::string(what) + " version not supported by this build");
  }
  return std::nullopt;
}

// The identity file's check over its first kCheckedBytes bytes.
void file_check(unsigned char out[kCheckBytes], const unsigned char* file) {
  crypto_generichash(out, kCheckBytes, file, kCheckedBytes, nullptr, 0);
}

Error io_error(const std::string& what, const std::string& path) {
  return make_error(Errc::resource, what + " " + path + ": " + std::strerror(errno));
}

// Closes a descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string parent_dir(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

std::optional<Error> fsync_dir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return io_error("cannot sync directory", dir);
  return std::nullopt;
}

// The subkey that wraps NEKs, derived from the identity secret.
Result<SecretBytes> wrap_key(const SecretBytes& secret) {
  const SecretBytes::View master = secret.view();
  return SecretBytes::fill(
      crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
      [&](unsigned char* out, std::size_t n) -> std::optional<Error> {
        if (crypto_kdf_derive_from_key(out, n, kWrapKdfSubkeyId, kWrapKdfContext,
                                       master.data()) != 0) {
          return make_error(Errc::resource, "key derivation failed");
        }
        return std::nullopt;
      });
}

std::string nek_wrap_associated_data(std::string_view name) {
  std::string ad = "postern/v1/nek";
  ad.push_back('\0');
  ad.append(name);
  return ad;
}

}  // namespace

Result<Identity> Identity::from_keys(SecretBytes secret, std::string_view public_key) {
  unsigned char derived[kIdentityKeyBytes];
  {
    const SecretBytes::View sk = secret.view();
    if (crypto_scalarmult_base(derived, sk.data()) != 0) {
      return make_error(Errc::malformed, "identity secret key is not usable");
    }
  }
  if (public_key.size() != kIdentityKeyBytes ||
      sodium_memcmp(derived, public_key.data(), kIdentityKeyBytes) != 0) {
    return make_error(Errc::malformed, "identity public key does not match its secret key");
  }
  return Identity(std::move(secret), std::string(public_key));
}

Result<Identity> Identity::generate() {
  if (!sodium_ready()) return make_error(Errc::resource, "libsodium could not be initialised");
  std::string pk(kIdentityKeyBytes, '\0');
  Result<SecretBytes> sk = SecretBytes::fill(
      kIdentityKeyBytes, [&](unsigned char* out, std::size_t) -> std::optional<Error> {
        if (crypto_box_keypair(reinterpret_cast<unsigned char*>(pk.data()), out) != 0) {
          return make_error(Errc::resource, "X25519 key generation failed");
        }
        return std::nullopt;
      });
  if (!sk.ok()) return sk.error();
  return Identity(std::move(sk).value(), std::move(pk));
}

Result<Identity> Identity::create(const std::string& path) {
  Result<Identity> id = generate();
  if (!id.ok()) return id;
  const std::string dir = parent_dir(path);
  unsigned char suffix[8];
  randombytes_buf(suffix, sizeof suffix);
  char hex[2 * sizeof suffix + 1];
  sodium_bin2hex(hex, sizeof hex, suffix, sizeof suffix);
  const std::string tmp = path + ".tmp-" + hex;

  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) return io_error("cannot create identity file", tmp);
  std::optional<Error> failed;
  {
    // The file image is assembled in guarded memory, as the secret is.
    const SecretBytes::View sk = id.value().secret_.view();
    Result<SecretBytes> image = SecretBytes::fill(
        kIdentityFileBytes, [&](unsigned char* out, std::size_t) -> std::optional<Error> {
          const std::string head = header(kFileMagic) + id.value().public_key_;
          std::memcpy(out, head.data(), head.size());
          std::memcpy(out + head.size(), sk.data(), sk.size());
          file_check(out + kCheckedBytes, out);
          return std::nullopt;
        });
    // fchmod: the umask can only remove bits, but state the mode rather than rely on it.
    if (!image.ok()) {
      failed = image.error();
    } else if (::fchmod(fd.get(), 0600) != 0 ||
               !write_all(fd.get(), image.value().view().bytes()) || ::fsync(fd.get()) != 0) {
      failed = io_error("cannot write identity file", tmp);
    }
  }
  if (!failed && ::link(tmp.c_str(), path.c_str()) != 0) {
    failed = errno == EEXIST
                 ? make_error(Errc::invalid_argument, "identity file " + path + " already exists")
                 : io_error("cannot create identity file", path);
  }
  ::unlink(tmp.c_str());
  if (failed) return *failed;
  if (std::optional<Error> e = fsync_dir(dir)) return *e;
  return id;
}

Result<Identity> Identity::load(const std::string& path) {
  if (!sodium_ready()) return make_error(Errc::resource, "libsodium could not be initialised");
  Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return io_error("cannot open identity file", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error("cannot stat identity file", path);
  if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::invalid_argument, "identity file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    return make_error(Errc::invalid_argument,
                      "identity file " + path +
                          " is accessible by group or others; it must be mode 0600");
  }
  if (st.st_size != static_cast<off_t>(kIdentityFileBytes)) {
    return make_error(Errc::malformed, "identity file " + path + " has the wrong size");
  }
  // Read straight into guarded memory: the secret never sits in an ordinary buffer.
  Result<SecretBytes> file = SecretBytes::fill(
      kIdentityFileBytes, [&](unsigned char* out, std::size_t n) -> std::optional<Error> {
        std::size_t got = 0;
        while (got < n) {
          const ssize_t r = ::read(fd.get(), out + got, n - got);
          if (r < 0 && errno == EINTR) continue;
          if (r < 0) return io_error("cannot read identity file", path);
          if (r == 0) return make_error(Errc::malformed, "identity file " + path + " is truncated");
          got += static_cast<std::size_t>(r);
        }
        return std::nullopt;
      });
  if (!file.ok()) return file.error();
  const SecretBytes::View bytes = file.value().view();
  if (std::optional<Error> bad = check_header(bytes.bytes(), kFileMagic, "Postern identity file")) {
    bad->message += " (" + path + ")";
    return *bad;
  }
  unsigned char check[kCheckBytes];
  file_check(check, bytes.data());
  if (sodium_memcmp(check, bytes.data() + kCheckedBytes, kCheckBytes) != 0) {
    return make_error(Errc::malformed,
                      "identity file " + path + " is damaged: its check does not match");
  }
  Result<SecretBytes> sk = SecretBytes::copy_of(
      bytes.bytes().substr(kHeaderBytes + kIdentityKeyBytes, kIdentityKeyBytes));
  if (!sk.ok()) return sk.error();
  Result<Identity> id =
      from_keys(std::move(sk).value(), bytes.bytes().substr(kHeaderBytes, kIdentityKeyBytes));
  if (!id.ok()) return make_error(id.error().code, id.error().message + " (" + path + ")");
  return id;
}

Result<Identity> Identity::load_or_create(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) {
    Result<Identity> created = create(path);
    if (created.ok() || created.error().code != Errc::invalid_argument) return created;
    // Another process linked its file first: use that one.
  }
  return load(path);
}

std::string Identity::public_key_base64() const { return encoding::base64_encode(public_key_); }

Result<std::string> Identity::wrap_nek(const Nek& nek) const {
  Result<SecretBytes> key = wrap_key(secret_);
  if (!key.ok()) return key.error();
  std::string out = header(kWrapMagic);
  out.resize(kWrappedNekBytes);
  unsigned char* nonce = reinterpret_cast<unsigned char*>(out.data()) + kHeaderBytes;
  randombytes_buf(nonce, kNonceBytes);
  const std::string ad = nek_wrap_associated_data(nek.name());
  const SecretBytes::View k = key.value().view();
  const SecretBytes::View plain = nek.key().view();
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, &written, plain.data(),
                                                 plain.size(), u8(ad), ad.size(), nullptr, nonce,
                                                 k.data()) != 0 ||
      written != kWrappedNekBytes - kHeaderBytes - kNonceBytes) {
    return make_error(Errc::resource, "XChaCha20-Poly1305 encryption failed");
  }
  return out;
}

Result<Nek> Identity::unwrap_nek(std::string_view name, std::string_view wrapped) const {
  if (!valid_nek_name(name)) return make_error(Errc::invalid_argument, "invalid NEK name");
  if (std::optional<Error> bad = check_header(wrapped, kWrapMagic, "wrapped NEK")) return *bad;
  if (wrapped.size() != kWrappedNekBytes) {
    return make_error(Errc::malformed, "wrapped NEK has the wrong size");
  }
  Result<SecretBytes> key = wrap_key(secret_);
  if (!key.ok()) return key.error();
  const SecretBytes::View k = key.value().view();
  const std::string ad = nek_wrap_associated_data(name);
  const std::string_view nonce = wrapped.substr(kHeaderBytes, kNonceBytes);
  const std::string_view ct = wrapped.substr(kHeaderBytes + kNonceBytes);
  Result<SecretBytes> raw = SecretBytes::fill(
      kNekBytes, [&](unsigned char* out, std::size_t n) -> std::optional<Error> {
        unsigned long long len = 0;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &len, nullptr, u8(ct), ct.size(),
                                                       u8(ad), ad.size(), u8(nonce),
                                                       k.data()) != 0 ||
            len != n) {
          return make_error(Errc::authentication_failed,
                            "wrapped NEK does not authenticate: another identity, another "
                            "name, or altered bytes");
        }
        return std::nullopt;
      });
  if (!raw.ok()) return raw.error();
  return Nek::from_secret(name, std::move(raw).value());
}

Result<SecretBytes> Identity::open_sealed(std::string_view sealed) const {
  if (std::optional<Error> bad = check_header(sealed, kBoxMagic, "sealed blob")) return *bad;
  if (sealed.size() < kSealedForOverhead + 1) {
    return make_error(Errc::malformed, "sealed blob is truncated");
  }
  if (sealed.size() > kSealedForOverhead + kMaxSecretBytes) {
    return make_error(Errc::malformed, "sealed blob is larger than this build opens");
  }
  const std::string_view box = sealed.substr(kHeaderBytes);
  const SecretBytes::View sk = secret_.view();
  return SecretBytes::fill(
      box.size() - crypto_box_SEALBYTES,
      [&](unsigned char* out, std::size_t) -> std::optional<Error> {
        if (crypto_box_seal_open(out, u8(box), box.size(), u8(public_key_), sk.data()) != 0) {
          return make_error(Errc::authentication_failed,
                            "sealed blob does not open: sealed for another identity, or altered");
        }
        return std::nullopt;
      });
}

Result<std::string> seal_for(std::string_view recipient_public_key, std::string_view plaintext) {
  if (recipient_public_key.size() != kIdentityKeyBytes) {
    return make_error(Errc::invalid_argument, "a recipient public key is 32 bytes");
  }
  if (plaintext.empty() || plaintext.size() > kMaxSecretBytes) {
    return make_error(Errc::invalid_argument, "sealed plaintext must be 1 to 65536 bytes");
  }
  if (!sodium_ready()) return make_error(Errc::resource, "libsodium could not be initialised");
  std::string out = header(kBoxMagic);
  out.resize(kSealedForOverhead + plaintext.size());
  if (crypto_box_seal(reinterpret_cast<unsigned char*>(out.data()) + kHeaderBytes, u8(plaintext),
                      plaintext.size(), u8(recipient_public_key)) != 0) {
    return make_error(Errc::invalid_argument, "the recipient public key is not usable");
  }
  return out;
}

Result<std::string> parse_identity_public_key(std::string_view base64) {
  std::optional<std::string> raw = encoding::base64_decode(base64);
  if (!raw || raw->size() != kIdentityKeyBytes) {
    return make_error(Errc::invalid_argument,
                      "an identity public key is 32 bytes in base64 (44 characters)");
  }
  return *raw;
}

}  // namespace postern::keystore
