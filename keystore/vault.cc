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

}  // namespace

Result<std::unique_ptr<KeyVault>> KeyVault::open(Store& store, Identity identity, Now now) {
  VaultOptions options;
  options.now = std::move(now);
  return open(store, std::move(identity), std::move(options));
}

Result<std::unique_ptr<KeyVault>> KeyVault::open(Store& store, Identity identity,
                                                 VaultOptions options) {
  if (!options.now) {
    options.now = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  auto vault = std::make_unique<VaultImpl>(store, std::move(identity), std::move(options));
  if (std::optional<Error> e = vault->load_at_open()) return *e;
  return std::unique_ptr<KeyVault>(std::move(vault));
}

VaultImpl::VaultImpl(Store& store, Identity identity, VaultOptions options)
    : store_(store),
      identity_(std::move(identity)),
      now_(std::move(options.now)),
      shared_(options.shared),
      owner_(nek_owner(identity_.public_key())),
      warn_(std::move(options.warn)) {}

int64_t VaultImpl::now() const { return now_(); }

Result<const Nek*> VaultImpl::credstore_nek() const {
  if (credstore_unavailable_) return make_error(Errc::resource, *credstore_unavailable_);
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
  // The Store may know it already: another replica's identity (shared) or a change this
  // replica has not followed yet.
  Result<std::vector<std::string>> entries = store_.list(kNekKind);
  if (!entries.ok()) return storage_error(entries.error());
  for (const std::string& entry : entries.value()) {
    const std::optional<NekEntryName> parsed = parse_nek_entry_name(entry);
    if (!parsed || parsed->nek != name) continue;
    if (parsed->owner == owner_) {
      return make_error(Errc::already_exists,
                        "a NEK named \"" + std::string(name) + "\" exists");
    }
    return make_error(Errc::already_exists,
                      "a NEK named \"" + std::string(name) +
                          "\" exists for another keystore identity of this cluster (" +
                          parsed->owner +
                          "); import it here (keymgmt export nek there, keymgmt import nek "
                          "here) instead of creating another key of that name");
  }
  if (std::optional<Error> e =
          store_.put(kNekKind, nek_entry_name(owner_, name), wrapped.value())) {
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
  if (std::optional<Error> e =
          store_.put(kNekKind, nek_entry_name(owner_, name), wrapped.value())) {
    return storage_error(*e);
  }
  const NekInfo info = nek_info(nek.value());
  neks_.insert_or_assign(name, std::move(nek).value());
  // A replica that could not open the shared credential store may hold its NEK now: follow
  // at once rather than when the watch reports this put. The import itself succeeded; a
  // failed reload is repeated by the follower (vault_follower.h) when the put arrives.
  if (credstore_unavailable_) reload_locked(false);
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
  if (!credstore_nek_ && !credstore_unavailable_) {
    // Another replica may have created one that this replica has not followed yet.
    Result<std::optional<std::string>> existing = store_.get(kCredstoreKind, kCredstoreName);
    if (!existing.ok()) return storage_error(existing.error());
    if (existing.value()) {
      if (std::optional<Error> e = reload_locked(false)) return *e;
    }
  }
  if (credstore_unavailable_) {
    return make_error(Errc::already_exists,
                      "a credential store exists, sealed by a NEK this keystore does not hold");
  }
  if (credstore_nek_) {
    if (*credstore_nek_ == nek_name) return credstore_locked();  // a retried create
    return make_error(Errc::already_exists,
                      "a credential store exists, sealed by NEK \"" + *credstore_nek_ + "\"");
  }
  const auto it = neks_.find(nek_name);
  if (it == neks_.end()) {
    return make_error(Errc::not_found, "no NEK named \"" + std::string(nek_name) + "\"");
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
