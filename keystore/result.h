// The keystore core's error and result types: every operation on key material returns a value
// or a typed error with a sentence an admin can act on. Nothing in the keystore core throws on
// untrusted input (files to import, sealed entries read back from storage, PEM keys).
//
// The messages never contain key material, passwords or plaintext: they are safe to log.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace postern::keystore {

enum class Errc {
  invalid_argument,       // the caller's input is not acceptable (bad name, size, bits)
  malformed,              // bytes that are not of the expected format (truncated, bad magic)
  unsupported_version,    // a format version this build does not read
  authentication_failed,  // AEAD check failed: wrong key, swapped entry, or altered bytes
  wrong_password,         // password file: the password does not match
  tampered,               // password file: right password, but the contents were altered
  unsupported_key,        // a key type or size the keystore does not handle
  resource,               // guarded memory or a crypto primitive could not be had
  not_found,              // no NEK, key or secret of that name (vault.h)
  already_exists,         // creating over an existing name without overwrite (vault.h)
  no_credstore,           // a DKIM or secret operation before create_credstore (vault.h)
};

struct Error {
  Errc code;
  std::string message;
};

// A value or an Error. Deliberately tiny: ok(), value(), error(); no exceptions.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}    // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace postern::keystore
