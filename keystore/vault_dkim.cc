// KeyVault: DKIM keys, bundles and the signing oracle (vault.h; locking in vault_impl.h).
#include <memory>
#include <mutex>
#include <utility>

#include "keystore/bundle.h"
#include "keystore/seal.h"
#include "keystore/vault_entries.h"
#include "keystore/vault_impl.h"

namespace postern::keystore {
namespace {

constexpr std::string_view kDkimKind = "dkim";
constexpr std::size_t kDigestBytes = 32;

Error storage_error(const Error& e) { return make_error(Errc::resource, e.message); }

std::string label(const DkimName& name) {
  return "DKIM key " + name.selector + " of " + name.domain;
}

Error about(const DkimName& name, const Error& e) {
  return make_error(e.code, label(name) + ": " + e.message);
}

// The Store's DKIM entries, filtered; `domain` and `selector` normalized or empty.
Result<std::vector<DkimName>> matching(Store& store, std::string_view domain,
                                       std::string_view selector) {
  Result<std::vector<std::string>> names = store.list(kDkimKind);
  if (!names.ok()) return storage_error(names.error());
  std::vector<DkimName> out;
  for (const std::string& entry : names.value()) {
    std::optional<DkimName> name = parse_dkim_entry_name(entry);
    if (!name) {
      return make_error(Errc::malformed, "the store holds a DKIM entry with an invalid name");
    }
    if (!domain.empty() && name->domain != domain) continue;
    if (!selector.empty() && name->selector != selector) continue;
    out.push_back(std::move(*name));
  }
  return out;
}

}  // namespace

DkimKeyInfo describe_dkim(const DkimName& name, const DkimKey& key, int64_t created_unix) {
  return DkimKeyInfo{name.domain,        name.selector,    key.type(),
                     key.bits(),         key.fingerprint(), name.dns_name(),
                     key.dns_record(),   created_unix};
}

Result<VaultImpl::CachedPtr> VaultImpl::load_dkim(const DkimName& name) {
  const std::string entry = name.entry_name();
  {
    std::shared_lock cache_lock(cache_mu_);
    const auto it = cache_.find(entry);
    if (it != cache_.end()) return it->second;
  }
  Result<const Nek*> nek = credstore_nek();
  if (!nek.ok()) return nek.error();
  Result<std::optional<std::string>> sealed = store_.get(kDkimKind, entry);
  if (!sealed.ok()) return storage_error(sealed.error());
  if (!sealed.value()) return CachedPtr{};
  Result<CachedPtr> cached = open_dkim(*nek.value(), name, *sealed.value());
  if (!cached.ok()) return cached.error();
  std::unique_lock cache_lock(cache_mu_);
  return cache_.try_emplace(entry, std::move(cached).value()).first->second;
}

Result<DkimKeyInfo> VaultImpl::store_dkim(const DkimName& name,
                                          std::shared_ptr<const DkimKey> key,
                                          int64_t created_unix) {
  Result<const Nek*> nek = credstore_nek();
  if (!nek.ok()) return nek.error();
  const std::string entry = name.entry_name();
  Result<SecretBytes> der = key->to_der();
  if (!der.ok()) return der.error();
  Result<SecretBytes> plain = encode_dkim_entry(created_unix, der.value().view().bytes());
  if (!plain.ok()) return plain.error();
  Result<std::string> sealed =
      seal(*nek.value(), {kDkimKind, entry}, plain.value().view().bytes());
  if (!sealed.ok()) return sealed.error();
  if (std::optional<Error> e = store_.put(kDkimKind, entry, sealed.value())) {
    return storage_error(*e);
  }
  auto cached =
      std::make_shared<const CachedKey>(CachedKey{key, describe_dkim(name, *key, created_unix)});
  const DkimKeyInfo info = cached->info;
  std::unique_lock cache_lock(cache_mu_);
  cache_.insert_or_assign(entry, std::move(cached));
  return info;
}

void VaultImpl::drop_cached(const std::string& entry_name) {
  std::unique_lock cache_lock(cache_mu_);
  cache_.erase(entry_name);
}

Result<DkimKeyInfo> VaultImpl::create_dkim(std::string_view domain, std::string_view selector,
                                           KeyType type, int bits) {
  Result<DkimName> name = normalize_dkim_name(domain, selector);
  if (!name.ok()) return name.error();
  if (type == KeyType::ed25519 && bits != 0 && bits != 256) {
    return make_error(Errc::invalid_argument, "an Ed25519 key has no size to choose: give 0");
  }
  const auto exists = [&]() -> std::optional<Error> {
    if (Result<const Nek*> nek = credstore_nek(); !nek.ok()) return nek.error();
    Result<std::optional<std::string>> old = store_.get(kDkimKind, name.value().entry_name());
    if (!old.ok()) return storage_error(old.error());
    if (old.value()) return make_error(Errc::already_exists, label(name.value()) + " exists");
    return std::nullopt;
  };
  {
    std::shared_lock lock(mu_);
    if (std::optional<Error> e = exists()) return *e;
  }
  // Generation (seconds for RSA-4096) runs without a lock.
  Result<DkimKey> key =
      type == KeyType::rsa ? DkimKey::generate_rsa(bits) : DkimKey::generate_ed25519();
  if (!key.ok()) return key.error();
  std::unique_lock lock(mu_);
  if (std::optional<Error> e = exists()) return *e;
  return store_dkim(name.value(), std::make_shared<const DkimKey>(std::move(key).value()), now());
}

Result<DkimKeyInfo> VaultImpl::import_dkim(std::string_view domain, std::string_view selector,
                                           std::string_view pem, bool overwrite) {
  Result<DkimName> name = normalize_dkim_name(domain, selector);
  if (!name.ok()) return name.error();
  Result<DkimKey> parsed = DkimKey::from_pem(pem);
  if (!parsed.ok()) return make_error(Errc::invalid_argument, parsed.error().message);
  auto key = std::make_shared<const DkimKey>(std::move(parsed).value());
  std::unique_lock lock(mu_);
  if (Result<const Nek*> nek = credstore_nek(); !nek.ok()) return nek.error();
  Result<CachedPtr> old = load_dkim(name.value());
  if (!old.ok() && !overwrite) return old.error();  // present but unreadable
  if (old.ok() && old.value()) {
    const CachedKey& existing = *old.value();
    if (existing.key->public_key_bytes() == key->public_key_bytes()) return existing.info;
    if (!overwrite) {
      return make_error(Errc::already_exists,
                        label(name.value()) + " exists with another key (fingerprint " +
                            existing.info.fingerprint + "); import with overwrite to replace it");
    }
  }
  drop_cached(name.value().entry_name());
  return store_dkim(name.value(), std::move(key), now());
}

Result<std::vector<DkimKeyInfo>> VaultImpl::list_dkim(std::string_view domain) {
  std::string filter;
  if (!domain.empty()) {
    Result<std::string> d = normalize_domain(domain);
    if (!d.ok()) return d.error();
    filter = std::move(d).value();
  }
  std::shared_lock lock(mu_);
  if (Result<const Nek*> nek = credstore_nek(); !nek.ok()) return nek.error();
  Result<std::vector<DkimName>> names = matching(store_, filter, {});
  if (!names.ok()) return names.error();
  std::vector<DkimKeyInfo> out;
  for (const DkimName& name : names.value()) {
    Result<CachedPtr> key = load_dkim(name);
    if (!key.ok()) return key.error();
    if (key.value()) out.push_back(key.value()->info);
  }
  return out;
}

Result<DkimKeyInfo> VaultImpl::dkim_info(std::string_view domain, std::string_view selector) {
  Result<DkimName> name = normalize_dkim_name(domain, selector);
  if (!name.ok()) return name.error();
  std::shared_lock lock(mu_);
  Result<CachedPtr> key = load_dkim(name.value());
  if (!key.ok()) return key.error();
  if (!key.value()) return make_error(Errc::not_found, "no " + label(name.value()));
  return key.value()->info;
}

Result<bool> VaultImpl::delete_dkim(std::string_view domain, std::string_view selector) {
  Result<DkimName> name = normalize_dkim_name(domain, selector);
  if (!name.ok()) return name.error();
  const std::string entry = name.value().entry_name();
  std::unique_lock lock(mu_);
  if (Result<const Nek*> nek = credstore_nek(); !nek.ok()) return nek.error();
  Result<std::optional<std::string>> old = store_.get(kDkimKind, entry);
  if (!old.ok()) return storage_error(old.error());
  if (!old.value()) return false;
  if (std::optional<Error> e = store_.remove(kDkimKind, entry)) return storage_error(*e);
  drop_cached(entry);
  return true;
}

Result<ExportedBundle> VaultImpl::export_dkim_bundle(std::string_view domain,
                                                     std::string_view selector,
                                                     const BundleProtection& protection) {
  if (protection.password.has_value() == protection.recipient_public_key.has_value()) {
    return make_error(Errc::invalid_argument,
                      "a DKIM bundle is protected by a password or for a recipient: give one");
  }
  std::string domain_filter;
  std::string selector_filter;
  if (!selector.empty()) {
    if (domain.empty()) {
      return make_error(Errc::invalid_argument, "a selector to export needs its domain");
    }
    Result<DkimName> name = normalize_dkim_name(domain, selector);
    if (!name.ok()) return name.error();
    domain_filter = std::move(name.value().domain);
    selector_filter = std::move(name.value().selector);
  } else if (!domain.empty()) {
    Result<std::string> d = normalize_domain(domain);
    if (!d.ok()) return d.error();
    domain_filter = std::move(d).value();
  }
  std::vector<CachedPtr> keys;
  {
    std::shared_lock lock(mu_);
    if (Result<const Nek*> nek = credstore_nek(); !nek.ok()) return nek.error();
    Result<std::vector<DkimName>> names = matching(store_, domain_filter, selector_filter);
    if (!names.ok()) return names.error();
    for (const DkimName& name : names.value()) {
      Result<CachedPtr> key = load_dkim(name);
      if (!key.ok()) return key.error();
      if (key.value()) keys.push_back(std::move(key).value());
    }
  }
  if (keys.empty()) return make_error(Errc::not_found, "no DKIM key matches what to export");

  // Each key's DER in guarded memory, viewed while the plaintext is built.
  std::vector<SecretBytes> ders;
  std::vector<std::unique_ptr<SecretBytes::View>> views;
  std::vector<BundleEntry> entries;
  ExportedBundle out;
  ders.reserve(keys.size());
  for (const CachedPtr& k : keys) {
    Result<SecretBytes> der = k->key->to_der();
    if (!der.ok()) return der.error();
    ders.push_back(std::move(der).value());
    views.push_back(std::unique_ptr<SecretBytes::View>(new SecretBytes::View(ders.back().view())));
    entries.push_back({k->info.domain, k->info.selector, k->info.created_unix,
                       views.back()->bytes()});
    out.keys.push_back(k->info);
  }
  Result<SecretBytes> plain = encode_bundle(entries);
  views.clear();
  if (!plain.ok()) return plain.error();
  Result<std::string> file =
      protection.password
          ? protect_bundle_with_password(plain.value(), *protection.password, protection.limits)
          : protect_bundle_for(*protection.recipient_public_key, plain.value());
  if (!file.ok()) return file.error();
  out.content = std::move(file).value();
  return out;
}

Result<BundleImport> VaultImpl::import_bundle(std::string_view content, std::string_view password,
                                              bool overwrite) {
  struct Incoming {
    DkimName name;
    std::shared_ptr<const DkimKey> key;
    int64_t created_unix;
  };
  // Opening (Argon2id) and parsing every key happen before any lock and before any change.
  Result<SecretBytes> plain = open_bundle(content, password, identity_);
  if (!plain.ok()) return plain.error();
  std::vector<Incoming> incoming;
  {
    const SecretBytes::View bytes = plain.value().view();
    Result<std::vector<BundleEntry>> entries = parse_bundle(bytes.bytes());
    if (!entries.ok()) return entries.error();
    for (const BundleEntry& e : entries.value()) {
      DkimName name{std::string(e.domain), std::string(e.selector)};
      Result<DkimKey> key = DkimKey::from_der(e.der);
      if (!key.ok()) {
        return make_error(Errc::malformed, "DKIM bundle: " + about(name, key.error()).message);
      }
      incoming.push_back(
          {std::move(name), std::make_shared<const DkimKey>(std::move(key).value()),
           e.created_unix});
    }
  }

  std::unique_lock lock(mu_);
  if (Result<const Nek*> nek = credstore_nek(); !nek.ok()) return nek.error();
  // Decide for every key first, so a refusal changes nothing.
  BundleImport out;
  std::vector<const Incoming*> to_store;
  for (const Incoming& in : incoming) {
    Result<CachedPtr> old = load_dkim(in.name);
    if (!old.ok() && !overwrite) return old.error();
    if (old.ok() && old.value()) {
      const CachedKey& existing = *old.value();
      if (existing.key->public_key_bytes() == in.key->public_key_bytes()) {
        out.unchanged.push_back(existing.info);
        continue;
      }
      if (!overwrite) {
        return make_error(Errc::already_exists,
                          label(in.name) + " exists with another key (fingerprint " +
                              existing.info.fingerprint +
                              "); nothing was imported; import with overwrite to replace it");
      }
    }
    to_store.push_back(&in);
  }
  for (const Incoming* in : to_store) {
    drop_cached(in->name.entry_name());
    Result<DkimKeyInfo> info = store_dkim(in->name, in->key, in->created_unix);
    if (!info.ok()) {
      return make_error(info.error().code,
                        info.error().message + " (after " + std::to_string(out.imported.size()) +
                            " of " + std::to_string(to_store.size()) +
                            " keys were stored; importing again is safe)");
    }
    out.imported.push_back(std::move(info).value());
  }
  return out;
}

Result<Signed> VaultImpl::sign(std::string_view domain, std::string_view selector,
                               std::string_view digest) {
  if (digest.size() != kDigestBytes) {
    return make_error(Errc::invalid_argument, "the digest to sign is 32 bytes (SHA-256)");
  }
  Result<DkimName> name = normalize_dkim_name(domain, selector);
  if (!name.ok()) return name.error();
  CachedPtr key;
  {
    // Hot path: a cached key needs only the cache's shared lock (writers that change a key
    // update the cache under its exclusive lock while holding mu_).
    std::shared_lock cache_lock(cache_mu_);
    const auto it = cache_.find(name.value().entry_name());
    if (it != cache_.end()) key = it->second;
  }
  if (key == nullptr) {
    std::shared_lock lock(mu_);
    Result<CachedPtr> loaded = load_dkim(name.value());
    if (!loaded.ok()) return loaded.error();
    if (!loaded.value()) return make_error(Errc::not_found, "no " + label(name.value()));
    key = std::move(loaded).value();
  }
  Result<std::string> sig = key->key->sign_digest(digest);
  if (!sig.ok()) return sig.error();
  return Signed{std::string(key->key->algorithm()), std::move(sig).value()};
}

}  // namespace postern::keystore
