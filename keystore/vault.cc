// KeyVault::open, NEKs and the credential store (vault.h; locking in vault_impl.h).
#include <chrono>
#include <mutex>
#include <utility>

#include "keystore/password_wrap.h"
#include "keystore/seal.h"
#include "keystore/vault_entries.h"
#include "keystore/vault_impl.h"

namespace postern::keystore {
namespace {

constexpr std::string_view kNekKind = "nek";
constexpr std::string_view kCredstoreKind = "credstore";
constexpr std::string_view kCredstoreName = "default";

Error storage_error(const Error& e) { return make_error(Errc::resource, e.message); }

// Which loaded NEK seals the credential store entry `sealed`: the one that opens it and whose
// name the entry states.
Result<std::string> find_credstore_nek(const std::map<std::string, Nek, std::less<>>& neks,
                                       std::string_view sealed) {
  for (const auto& [name, nek] : neks) {
    Result<SecretBytes> plain = keystore::open(nek, {kCredstoreKind, kCredstoreName}, sealed);
    if (!plain.ok()) continue;
    Result<std::string> named = parse_credstore_entry(plain.value().view().bytes());
    if (named.ok() && named.value() == name) return name;
  }
  return make_error(Errc::authentication_failed,
                    "the credential store entry does not open with any NEK of this keystore "
                    "(its NEK is missing, or the entry was altered)");
}

}  // namespace

Result<std::unique_ptr<KeyVault>> KeyVault::open(Store& store, Identity identity, Now now) {
  Result<std::vector<std::string>> names = store.list(kNekKind);
  if (!names.ok()) return storage_error(names.error());
  std::map<std::string, Nek, std::less<>> neks;
  for (const std::string& name : names.value()) {
    Result<std::optional<std::string>> wrapped = store.get(kNekKind, name);
    if (!wrapped.ok()) return storage_error(wrapped.error());
    if (!wrapped.value()) continue;  // removed since list(): nothing to load
    Result<Nek> nek = identity.unwrap_nek(name, *wrapped.value());
    if (!nek.ok()) {
      return make_error(Errc::authentication_failed,
                        "NEK \"" + name + "\" does not unwrap with this keystore's identity (" +
                            nek.error().message +
                            "); is this another keystore's data directory or identity file?");
    }
    neks.emplace(name, std::move(nek).value());
  }
  std::optional<std::string> credstore_nek;
  Result<std::optional<std::string>> cs = store.get(kCredstoreKind, kCredstoreName);
  if (!cs.ok()) return storage_error(cs.error());
  if (cs.value()) {
    Result<std::string> nek = find_credstore_nek(neks, *cs.value());
    if (!nek.ok()) return nek.error();
    credstore_nek = std::move(nek).value();
  }
  if (!now) {
    now = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  return std::unique_ptr<KeyVault>(std::make_unique<VaultImpl>(
      store, std::move(identity), std::move(now), std::move(neks), std::move(credstore_nek)));
}

VaultImpl::VaultImpl(Store& store, Identity identity, Now now,
                     std::map<std::string, Nek, std::less<>> neks,
                     std::optional<std::string> credstore_nek)
    : store_(store),
      identity_(std::move(identity)),
      now_(std::move(now)),
      neks_(std::move(neks)),
      credstore_nek_(std::move(credstore_nek)) {}

int64_t VaultImpl::now() const { return now_(); }

Result<const Nek*> VaultImpl::credstore_nek() const {
  if (!credstore_nek_) {
    return make_error(Errc::no_credstore,
                      "no credential store yet: create one first (keymgmt create credstore NEK)");
  }
  return &neks_.find(*credstore_nek_)->second;
}

// ---- NEKs ----

Result<NekInfo> VaultImpl::create_nek(std::string_view name) {
  Result<Nek> nek = Nek::generate(name);
  if (!nek.ok()) return nek.error();
  Result<std::string> wrapped = identity_.wrap_nek(nek.value());
  if (!wrapped.ok()) return wrapped.error();
  std::unique_lock lock(mu_);
  if (neks_.find(name) != neks_.end()) {
    return make_error(Errc::already_exists, "a NEK named \"" + std::string(name) + "\" exists");
  }
  if (std::optional<Error> e = store_.put(kNekKind, name, wrapped.value())) {
    return storage_error(*e);
  }
  const NekInfo info = nek_info(nek.value());
  neks_.emplace(std::string(name), std::move(nek).value());
  return info;
}

Result<std::vector<NekInfo>> VaultImpl::list_neks() {
  std::shared_lock lock(mu_);
  std::vector<NekInfo> out;
  out.reserve(neks_.size());
  for (const auto& [name, nek] : neks_) out.push_back(nek_info(nek));
  return out;
}

Result<std::string> VaultImpl::export_nek(std::string_view name, std::string_view password,
                                          PasswordLimits limits) {
  std::shared_lock lock(mu_);
  const auto it = neks_.find(name);
  if (it == neks_.end()) {
    return make_error(Errc::not_found, "no NEK named \"" + std::string(name) + "\"");
  }
  return keystore::export_nek(it->second, password, limits);
}

Result<NekInfo> VaultImpl::import_nek(std::string_view file, std::string_view password,
                                      bool overwrite) {
  Result<Nek> nek = keystore::import_nek(file, password);  // Argon2id: before any lock
  if (!nek.ok()) return nek.error();
  const std::string name = nek.value().name();
  Result<std::string> wrapped = identity_.wrap_nek(nek.value());
  if (!wrapped.ok()) return wrapped.error();
  std::unique_lock lock(mu_);
  const auto it = neks_.find(name);
  if (it != neks_.end()) {
    if (it->second.key().equals(nek.value().key())) return nek_info(it->second);
    if (!overwrite) {
      return make_error(Errc::already_exists,
                        "a different NEK named \"" + name +
                            "\" exists here (fingerprint " + it->second.fingerprint() +
                            "); import with overwrite to replace it");
    }
    if (credstore_nek_ == name) {
      return make_error(Errc::invalid_argument,
                        "NEK \"" + name +
                            "\" seals the credential store and cannot be replaced");
    }
  }
  if (std::optional<Error> e = store_.put(kNekKind, name, wrapped.value())) {
    return storage_error(*e);
  }
  const NekInfo info = nek_info(nek.value());
  neks_.insert_or_assign(name, std::move(nek).value());
  return info;
}

// ---- the credential store ----

Result<CredstoreInfo> VaultImpl::credstore_locked() {
  Result<const Nek*> nek = credstore_nek();
  if (!nek.ok()) return nek.error();
  Result<std::vector<std::string>> dkim = store_.list("dkim");
  if (!dkim.ok()) return storage_error(dkim.error());
  Result<std::vector<std::string>> secrets = store_.list("secret");
  if (!secrets.ok()) return storage_error(secrets.error());
  return CredstoreInfo{nek.value()->name(), nek.value()->fingerprint(),
                       static_cast<uint32_t>(dkim.value().size()),
                       static_cast<uint32_t>(secrets.value().size())};
}

Result<CredstoreInfo> VaultImpl::create_credstore(std::string_view nek_name) {
  std::unique_lock lock(mu_);
  const auto it = neks_.find(nek_name);
  if (it == neks_.end()) {
    return make_error(Errc::not_found, "no NEK named \"" + std::string(nek_name) + "\"");
  }
  if (credstore_nek_) {
    if (*credstore_nek_ == nek_name) return credstore_locked();  // a retried create
    return make_error(Errc::already_exists,
                      "a credential store exists, sealed by NEK \"" + *credstore_nek_ + "\"");
  }
  Result<std::string> sealed =
      seal(it->second, {kCredstoreKind, kCredstoreName}, encode_credstore_entry(nek_name));
  if (!sealed.ok()) return sealed.error();
  if (std::optional<Error> e = store_.put(kCredstoreKind, kCredstoreName, sealed.value())) {
    return storage_error(*e);
  }
  credstore_nek_ = std::string(nek_name);
  return credstore_locked();
}

Result<CredstoreInfo> VaultImpl::credstore() {
  std::shared_lock lock(mu_);
  return credstore_locked();
}

}  // namespace postern::keystore
