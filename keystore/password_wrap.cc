#include "keystore/password_wrap.h"

#include <sodium.h>

#include "keystore/password_box.h"

namespace postern::keystore {
namespace {

constexpr std::size_t kCiphertextBytes = kNekBytes + kPasswordBoxTagBytes;

// The NEK file as a password box (password_box.h): extras are the name's length byte and the
// name, the plaintext is the 32-byte key.
PasswordBoxFormat nek_box() {
  PasswordBoxFormat f;
  f.magic = "PNEK";
  f.version = 1;
  f.what = "NEK file";
  f.min_tail = 1;
  f.max_plaintext = kNekBytes;
  f.extras_length = [](std::string_view tail) -> Result<std::size_t> {
    const std::size_t name_len = static_cast<unsigned char>(tail[0]);
    const std::size_t extras = 1 + name_len;
    if (tail.size() != extras + kCiphertextBytes) {
      return make_error(Errc::malformed, tail.size() < extras + kCiphertextBytes
                                             ? "NEK file is truncated"
                                             : "NEK file has trailing bytes");
    }
    if (!valid_nek_name(tail.substr(1, name_len))) {
      return make_error(Errc::malformed, "NEK file has an invalid name");
    }
    return extras;
  };
  return f;
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
  std::string extras(1, static_cast<char>(nek.name().size()));  // <= kMaxNekNameBytes (64)
  extras.append(nek.name());
  const SecretBytes::View key = nek.key().view();
  return seal_password_box(nek_box(), extras, key.bytes(), password, limits);
}

Result<Nek> import_nek(std::string_view file, std::string_view password) {
  Result<OpenedPasswordBox> box = open_password_box(nek_box(), file, password);
  if (!box.ok()) return box.error();
  OpenedPasswordBox& opened = box.value();
  return Nek::from_secret(opened.extras.substr(1), std::move(opened.plaintext));
}

}  // namespace postern::keystore
