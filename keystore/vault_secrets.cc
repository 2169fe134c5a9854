// KeyVault: secrets (vault.h; locking in vault_impl.h).
#include <mutex>
#include <utility>

#include "keystore/seal.h"
#include "keystore/vault_entries.h"
#include "keystore/vault_impl.h"

namespace postern::keystore {
namespace {

constexpr std::string_view kSecretKind = "secret";

Error storage_error(const Error& e) { return make_error(Errc::resource, e.message); }

Error about(std::string_view name, const Error& e) {
  return make_error(e.code, "secret \"" + std::string(name) + "\": " + e.message);
}

}  // namespace

Result<std::optional<SecretBytes>> VaultImpl::open_secret(std::string_view name) {
  Result<const Nek*> nek = credstore_nek();
  if (!nek.ok()) return nek.error();
  Result<std::optional<std::string>> sealed = store_.get(kSecretKind, name);
  if (!sealed.ok()) return storage_error(sealed.error());
  if (!sealed.value()) return std::optional<SecretBytes>{};
  Result<SecretBytes> plain = keystore::open(*nek.value(), {kSecretKind, name}, *sealed.value());
  if (!plain.ok()) return about(name, plain.error());
  if (Result<SecretEntryView> parsed = parse_secret_entry(plain.value().view().bytes());
      !parsed.ok()) {
    return about(name, parsed.error());
  }
  return std::optional<SecretBytes>(std::move(plain).value());
}

Result<SecretInfo> VaultImpl::set_secret(std::string_view name, std::string_view username,
                                         std::string_view value) {
  if (std::optional<Error> bad = check_secret_name(name)) return *bad;
  std::unique_lock lock(mu_);
  Result<const Nek*> nek = credstore_nek();
  if (!nek.ok()) return nek.error();
  const int64_t updated = now();
  Result<SecretBytes> plain = encode_secret_entry(updated, username, value);
  if (!plain.ok()) return plain.error();
  Result<std::string> sealed =
      seal(*nek.value(), {kSecretKind, name}, plain.value().view().bytes());
  if (!sealed.ok()) return sealed.error();
  if (std::optional<Error> e = store_.put(kSecretKind, name, sealed.value())) {
    return storage_error(*e);
  }
  return SecretInfo{std::string(name), std::string(username), updated};
}

Result<std::vector<SecretInfo>> VaultImpl::list_secrets() {
  std::shared_lock lock(mu_);
  if (Result<const Nek*> nek = credstore_nek(); !nek.ok()) return nek.error();
  Result<std::vector<std::string>> names = store_.list(kSecretKind);
  if (!names.ok()) return storage_error(names.error());
  std::vector<SecretInfo> out;
  for (const std::string& name : names.value()) {
    Result<std::optional<SecretBytes>> plain = open_secret(name);
    if (!plain.ok()) return plain.error();
    if (!plain.value()) continue;
    const SecretBytes::View bytes = plain.value()->view();
    const SecretEntryView entry = parse_secret_entry(bytes.bytes()).value();  // checked above
    out.push_back({name, std::string(entry.username), entry.updated_unix});
  }
  return out;
}

Result<SecretValue> VaultImpl::get_secret(std::string_view name) {
  if (std::optional<Error> bad = check_secret_name(name)) return *bad;
  std::shared_lock lock(mu_);
  Result<std::optional<SecretBytes>> plain = open_secret(name);
  if (!plain.ok()) return plain.error();
  if (!plain.value()) {
    return make_error(Errc::not_found, "no secret named \"" + std::string(name) + "\"");
  }
  const SecretBytes::View bytes = plain.value()->view();
  const SecretEntryView entry = parse_secret_entry(bytes.bytes()).value();  // checked above
  Result<SecretBytes> value = SecretBytes::copy_of(entry.value);
  if (!value.ok()) return value.error();
  return SecretValue{std::string(entry.username), std::move(value).value()};
}

Result<bool> VaultImpl::delete_secret(std::string_view name) {
  if (std::optional<Error> bad = check_secret_name(name)) return *bad;
  std::unique_lock lock(mu_);
  if (Result<const Nek*> nek = credstore_nek(); !nek.ok()) return nek.error();
  Result<std::optional<std::string>> old = store_.get(kSecretKind, name);
  if (!old.ok()) return storage_error(old.error());
  if (!old.value()) return false;
  if (std::optional<Error> e = store_.remove(kSecretKind, name)) return storage_error(*e);
  return true;
}

}  // namespace postern::keystore
