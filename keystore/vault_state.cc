// KeyVault: loading what the vault holds from its Store, at open and when following the
// changes of other replicas sharing the Store (vault.h "Exclusive and shared Stores";
// locking in vault_impl.h).
#include <mutex>
#include <utility>

#include "keystore/seal.h"
#include "keystore/vault_entries.h"
#include "keystore/vault_impl.h"

namespace postern::keystore {
namespace {

constexpr std::string_view kNekKind = "nek";
constexpr std::string_view kCredstoreKind = "credstore";
constexpr std::string_view kCredstoreName = "default";
constexpr std::string_view kDkimKind = "dkim";

Error storage_error(const Error& e) { return make_error(Errc::resource, e.message); }

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

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

void VaultImpl::warn_once(const std::string& entry, const std::string& message) {
  if (!warned_.insert(entry).second) return;
  if (warn_) warn_(message);
}

Result<VaultImpl::CachedPtr> VaultImpl::open_dkim(const Nek& nek, const DkimName& name,
                                                  std::string_view sealed) {
  const std::string entry = name.entry_name();
  const auto about = [&](const Error& e) {
    return make_error(e.code, "DKIM key " + name.selector + " of " + name.domain + ": " +
                                  e.message);
  };
  Result<SecretBytes> plain = keystore::open(nek, {kDkimKind, entry}, sealed);
  if (!plain.ok()) return about(plain.error());
  const SecretBytes::View bytes = plain.value().view();
  Result<DkimEntryView> parsed = parse_dkim_entry(bytes.bytes());
  if (!parsed.ok()) return about(parsed.error());
  Result<DkimKey> key = DkimKey::from_der(parsed.value().der);
  if (!key.ok()) return about(key.error());
  auto shared = std::make_shared<const DkimKey>(std::move(key).value());
  return std::make_shared<const CachedKey>(
      CachedKey{shared, describe_dkim(name, *shared, parsed.value().created_unix)});
}

std::optional<Error> VaultImpl::migrate_legacy_neks() {
  Result<std::vector<std::string>> names = store_.list(kNekKind);
  if (!names.ok()) return storage_error(names.error());
  for (const std::string& entry : names.value()) {
    const std::optional<NekEntryName> parsed = parse_nek_entry_name(entry);
    if (!parsed || !parsed->owner.empty()) continue;
    Result<std::optional<std::string>> wrapped = store_.get(kNekKind, entry);
    if (!wrapped.ok()) return storage_error(wrapped.error());
    if (!wrapped.value()) continue;
    if (Result<Nek> nek = identity_.unwrap_nek(parsed->nek, *wrapped.value()); !nek.ok()) {
      return make_error(Errc::authentication_failed,
                        "NEK " + quoted(parsed->nek) +
                            " does not unwrap with this keystore's identity (" +
                            nek.error().message +
                            "); is this another keystore's data directory or identity file?");
    }
    if (std::optional<Error> e =
            store_.put(kNekKind, nek_entry_name(owner_, parsed->nek), *wrapped.value())) {
      return storage_error(*e);
    }
    if (std::optional<Error> e = store_.remove(kNekKind, entry)) return storage_error(*e);
  }
  return std::nullopt;
}

Result<VaultImpl::State> VaultImpl::read_state(bool strict) {
  State state;
  Result<std::vector<std::string>> names = store_.list(kNekKind);
  if (!names.ok()) return storage_error(names.error());
  for (const std::string& entry : names.value()) {
    const std::optional<NekEntryName> parsed = parse_nek_entry_name(entry);
    if (!parsed || parsed->owner.empty()) {
      // Exclusive Stores were migrated before; in a shared Store nobody writes these.
      if (strict) {
        return make_error(Errc::malformed, "the store holds a NEK entry of an unknown layout");
      }
      warn_once("nek:" + entry, "skipping a NEK entry of an unknown or legacy layout");
      continue;
    }
    if (parsed->owner != owner_) {
      if (!strict) continue;  // another replica's wrapping
      return make_error(Errc::authentication_failed,
                        "NEK " + quoted(parsed->nek) + " is wrapped for another identity (" +
                            parsed->owner + ", this keystore's is " + owner_ +
                            "); is this another keystore's data directory or identity file?");
    }
    Result<std::optional<std::string>> wrapped = store_.get(kNekKind, entry);
    if (!wrapped.ok()) return storage_error(wrapped.error());
    if (!wrapped.value()) continue;  // removed since list(): nothing to load
    Result<Nek> nek = identity_.unwrap_nek(parsed->nek, *wrapped.value());
    if (!nek.ok()) {
      const std::string why = "NEK " + quoted(parsed->nek) +
                              " does not unwrap with this keystore's identity (" +
                              nek.error().message + ")";
      if (strict) {
        return make_error(Errc::authentication_failed,
                          why + "; is this another keystore's data directory or identity file?");
      }
      warn_once("nek:" + entry, "skipping " + why);
      continue;
    }
    warned_.erase("nek:" + entry);
    state.neks.emplace(parsed->nek, std::move(nek).value());
  }

  Result<std::optional<std::string>> cs = store_.get(kCredstoreKind, kCredstoreName);
  if (!cs.ok()) return storage_error(cs.error());
  if (cs.value()) {
    Result<std::string> nek = find_credstore_nek(state.neks, *cs.value());
    if (nek.ok()) {
      state.credstore_nek = std::move(nek).value();
    } else if (strict || !shared_) {
      return nek.error();
    } else {
      state.credstore_unavailable =
          "this keystore replica (identity " + owner_ +
          ") does not hold the NEK that seals the shared credential store: import it "
          "(posternctl keymgmt export nek on a replica that has it, keymgmt import nek here)";
      warn_once("credstore", state.credstore_unavailable.value() +
                                 "; DKIM keys and secrets are unavailable on this replica");
    }
  }
  if (!state.credstore_nek) return state;

  const Nek& nek = state.neks.find(*state.credstore_nek)->second;
  Result<std::vector<std::string>> dkim = store_.list(kDkimKind);
  if (!dkim.ok()) return storage_error(dkim.error());
  for (const std::string& entry : dkim.value()) {
    const std::optional<DkimName> name = parse_dkim_entry_name(entry);
    if (!name) {
      warn_once("dkim:" + entry, "skipping a DKIM entry with an invalid name");
      continue;
    }
    Result<std::optional<std::string>> sealed = store_.get(kDkimKind, entry);
    if (!sealed.ok()) return storage_error(sealed.error());
    if (!sealed.value()) continue;
    Result<CachedPtr> key = open_dkim(nek, *name, *sealed.value());
    if (!key.ok()) {
      // Not fatal even on an exclusive Store: signing with every other key goes on, and the
      // key can be replaced (import with overwrite).
      warn_once("dkim:" + entry, "cannot open " + key.error().message + "; skipping it");
      continue;
    }
    warned_.erase("dkim:" + entry);
    state.cache.emplace(entry, std::move(key).value());
  }
  return state;
}

std::optional<Error> VaultImpl::reload_locked(bool strict) {
  Result<State> state = read_state(strict);
  if (!state.ok()) return state.error();
  neks_ = std::move(state.value().neks);
  credstore_nek_ = std::move(state.value().credstore_nek);
  credstore_unavailable_ = std::move(state.value().credstore_unavailable);
  std::unique_lock cache_lock(cache_mu_);
  cache_ = std::move(state.value().cache);
  return std::nullopt;
}

std::optional<Error> VaultImpl::load_at_open() {
  std::unique_lock lock(mu_);
  if (!shared_) {
    if (std::optional<Error> e = migrate_legacy_neks()) return e;
  }
  return reload_locked(!shared_);
}

std::optional<Error> VaultImpl::refresh_dkim_locked(const std::string& entry) {
  drop_cached(entry);  // whatever follows, the held key may be stale now
  warned_.erase("dkim:" + entry);
  const std::optional<DkimName> name = parse_dkim_entry_name(entry);
  if (!name || !credstore_nek_) return std::nullopt;
  Result<std::optional<std::string>> sealed = store_.get(kDkimKind, entry);
  if (!sealed.ok()) return storage_error(sealed.error());
  if (!sealed.value()) return std::nullopt;
  Result<CachedPtr> key = open_dkim(*credstore_nek().value(), *name, *sealed.value());
  if (!key.ok()) {
    warn_once("dkim:" + entry, "cannot open " + key.error().message + "; skipping it");
    return std::nullopt;
  }
  std::unique_lock cache_lock(cache_mu_);
  cache_.insert_or_assign(entry, std::move(key).value());
  return std::nullopt;
}

std::optional<Error> VaultImpl::apply(const StoreChange& change) {
  if (change.type != StoreChange::Type::resync) {
    if (change.kind == kDkimKind) {
      std::unique_lock lock(mu_);
      return refresh_dkim_locked(change.name);
    }
    if (change.kind == kNekKind) {
      const std::optional<NekEntryName> parsed = parse_nek_entry_name(change.name);
      if (parsed && parsed->owner != owner_) return std::nullopt;  // another identity's
    } else if (change.kind != kCredstoreKind) {
      return std::nullopt;  // secrets are read from the Store on every use
    }
  }
  std::unique_lock lock(mu_);
  return reload_locked(false);
}

}  // namespace postern::keystore
