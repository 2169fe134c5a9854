#include "keystore/bundle.h"

#include <cstring>
#include <optional>
#include <set>
#include <utility>

#include "keystore/names.h"
#include "keystore/password_box.h"

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
constexpr std::size_t kRecipientHeaderBytes = kRecipientMagic.size() + 1;

static_assert(kContext.size() == 23);
static_assert(kPasswordBoxFixedBytes == 78);  // the password bundle has no extras

// The password bundle as a password box (password_box.h): no extras, a non-empty plaintext of
// at most kMaxSecretBytes.
PasswordBoxFormat bundle_box() {
  PasswordBoxFormat f;
  f.magic = kPasswordMagic;
  f.version = kVersion;
  f.what = "DKIM bundle";
  f.min_tail = kPasswordBoxTagBytes + 1;
  f.max_plaintext = kMaxSecretBytes;
  return f;
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

std::optional<Error> check_password(std::string_view password) {
  if (password.empty()) {
    return make_error(Errc::invalid_argument, "this DKIM bundle is protected by a password");
  }
  if (password.size() > kMaxPasswordBytes) {
    return make_error(Errc::invalid_argument, "the password must be 1 to 4096 bytes");
  }
  return std::nullopt;
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

// The password check comes first so an empty password reads as "protected by a password".
Result<SecretBytes> open_password_bundle(std::string_view file, std::string_view password) {
  if (std::optional<Error> bad = check_password(password)) return *bad;
  Result<OpenedPasswordBox> box = open_password_box(bundle_box(), file, password);
  if (!box.ok()) return box.error();
  return std::move(box.value().plaintext);
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
  const SecretBytes::View plain = plaintext.view();
  return seal_password_box(bundle_box(), {}, plain.bytes(), password, limits);
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
