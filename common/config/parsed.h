// Parsed<T>: the result of a pure value parser — a value, or the reason it was refused.
//
// Value parsers (durations, sizes, host:port, domains) return this instead of throwing, so they
// stay usable outside the config loader and are table-testable. The reason is a phrase that fits
// after "<file>: <key path>: " (lower case, no trailing period).
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace postern::config {

template <class T>
struct Parsed {
  std::optional<T> value;
  std::string error;  // set exactly when !value

  static Parsed ok(T v) { return Parsed{std::move(v), {}}; }
  static Parsed fail(std::string reason) { return Parsed{std::nullopt, std::move(reason)}; }
  explicit operator bool() const { return value.has_value(); }
};

}  // namespace postern::config
