#include "keystore/store.h"

#include <array>

#include "keystore/seal.h"

namespace postern::keystore {

bool valid_store_kind(std::string_view kind) {
  if (kind.empty() || kind.size() > kMaxEntryKindBytes) return false;
  for (char c : kind) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool looks_sealed(std::string_view value) {
  // seal.h entries, identity-wrapped NEKs, blobs sealed for an identity (identity.h).
  static constexpr std::array<std::string_view, 3> kMagics = {"PKSE", "PKNW", "PKBX"};
  for (std::string_view magic : kMagics) {
    if (value.size() > magic.size() && value.substr(0, magic.size()) == magic) return true;
  }
  return false;
}

std::optional<Error> check_store_key(std::string_view kind, std::string_view name) {
  if (!valid_store_kind(kind)) {
    return make_error(Errc::invalid_argument, "an entry kind is 1 to 32 of [a-z0-9-]");
  }
  if (name.empty() || name.size() > kMaxEntryNameBytes) {
    return make_error(Errc::invalid_argument, "an entry name is 1 to 1024 bytes");
  }
  return std::nullopt;
}

std::optional<Error> check_store_value(std::string_view value) {
  if (value.size() > kMaxStoredValueBytes) {
    return make_error(Errc::invalid_argument, "a stored value is at most 1 MiB");
  }
  if (!looks_sealed(value)) {
    return make_error(Errc::invalid_argument,
                      "refusing to store a value that is not in a sealed format");
  }
  return std::nullopt;
}

}  // namespace postern::keystore
