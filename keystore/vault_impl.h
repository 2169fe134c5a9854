// The KeyVault implementation (vault.h), private to keystore/: vault.cc holds open(), NEKs and
// the credential store, vault_dkim.cc DKIM keys, bundles and signing, vault_secrets.cc secrets.
//
// Locking: `mu_` guards the NEKs and the credential store and serializes every mutation
// (exclusive); reads take it shared. `cache_mu_` guards only the cache of opened DKIM keys and
// is always taken after `mu_`. A key is loaded into the cache under a shared `mu_`, and every
// write that changes or removes a key holds `mu_` exclusively, so the cache never holds a key
// the Store no longer has. sign() on a cached key takes both locks shared, copies the entry's
// shared_ptr, and signs after releasing them. Slow work (RSA generation, Argon2id, parsing
// PEM and bundles) runs before any lock is taken.
//
// Following a shared Store (apply, reload_locked) takes `mu_` exclusively for the whole
// reload, Store reads included: signing with a held key needs only `cache_mu_` and goes on.
// A reload builds the new state aside and swaps it in only when every read succeeded.
//
// SECURITY: NEKs stay in guarded memory (Nek); opened DKIM keys live in OpenSSL EVP keys that
// OpenSSL wipes when freed (the last shared_ptr to a dropped cache entry frees it). Plaintexts
// are only ever in SecretBytes. No message names a key byte, a password or a secret's value.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "keystore/names.h"
#include "keystore/nek.h"
#include "keystore/vault.h"

namespace postern::keystore {

class VaultImpl final : public KeyVault {
 public:
  VaultImpl(Store& store, Identity identity, VaultOptions options);

  // Migrates legacy NEK entries (exclusive Stores; vault.h), then reload_locked(strict).
  std::optional<Error> load_at_open();

  const Identity& identity() const override { return identity_; }

  Result<NekInfo> create_nek(std::string_view name) override;
  Result<std::vector<NekInfo>> list_neks() override;
  Result<std::string> export_nek(std::string_view name, std::string_view password,
                                 PasswordLimits limits) override;
  Result<NekInfo> import_nek(std::string_view file, std::string_view password,
                             bool overwrite) override;

  Result<CredstoreInfo> create_credstore(std::string_view nek_name) override;
  Result<CredstoreInfo> credstore() override;

  Result<DkimKeyInfo> create_dkim(std::string_view domain, std::string_view selector,
                                  KeyType type, int bits) override;
  Result<DkimKeyInfo> import_dkim(std::string_view domain, std::string_view selector,
                                  std::string_view pem, bool overwrite) override;
  Result<std::vector<DkimKeyInfo>> list_dkim(std::string_view domain) override;
  Result<DkimKeyInfo> dkim_info(std::string_view domain, std::string_view selector) override;
  Result<bool> delete_dkim(std::string_view domain, std::string_view selector) override;
  Result<ExportedBundle> export_dkim_bundle(std::string_view domain, std::string_view selector,
                                            const BundleProtection& protection) override;
  Result<BundleImport> import_bundle(std::string_view content, std::string_view password,
                                     bool overwrite) override;

  Result<SecretInfo> set_secret(std::string_view name, std::string_view username,
                                std::string_view value) override;
  Result<std::vector<SecretInfo>> list_secrets() override;
  Result<SecretValue> get_secret(std::string_view name) override;
  Result<bool> delete_secret(std::string_view name) override;

  Result<Signed> sign(std::string_view domain, std::string_view selector,
                      std::string_view digest) override;

  std::optional<Error> apply(const StoreChange& change) override;

 private:
  // An opened DKIM key and what list/info report about it.
  struct CachedKey {
    std::shared_ptr<const DkimKey> key;
    DkimKeyInfo info;
  };
  using CachedPtr = std::shared_ptr<const CachedKey>;
  using NekMap = std::map<std::string, Nek, std::less<>>;
  using Cache = std::map<std::string, CachedPtr, std::less<>>;

  // Everything the vault holds, as read from the Store by read_state().
  struct State {
    NekMap neks;
    std::optional<std::string> credstore_nek;
    std::optional<std::string> credstore_unavailable;  // why the entry does not open here
    Cache cache;
  };
  // Reads the NEKs of this identity, the credential store and every DKIM key. `strict`
  // (an exclusive Store at open): entries that do not open fail it; else they are warned
  // about and skipped. resource on a storage failure. `mu_` held exclusively (or no other
  // thread yet).
  Result<State> read_state(bool strict);
  std::optional<Error> reload_locked(bool strict);
  // Drops the cached key `entry` and opens it again from the Store. `mu_` held exclusively.
  std::optional<Error> refresh_dkim_locked(const std::string& entry);
  // Legacy NEK entries moved to this identity's names (exclusive Stores at open).
  std::optional<Error> migrate_legacy_neks();
  void warn_once(const std::string& entry, const std::string& message);
  // The DKIM key `name` from its sealed entry.
  static Result<CachedPtr> open_dkim(const Nek& nek, const DkimName& name,
                                     std::string_view sealed);

  // The NEK sealing the credential store; no_credstore when there is none. `mu_` held.
  Result<const Nek*> credstore_nek() const;
  NekInfo nek_info(const Nek& nek) const { return {nek.name(), nek.fingerprint()}; }
  Result<CredstoreInfo> credstore_locked();
  int64_t now() const;

  // The key `name` from the cache, else opened from the Store and cached; nullptr when the
  // Store has no such entry. `mu_` held (either way).
  Result<CachedPtr> load_dkim(const DkimName& name);
  // Seals `key` under the credential store NEK as `name`, stores it, and replaces any cached
  // key of that name. `mu_` held exclusively.
  Result<DkimKeyInfo> store_dkim(const DkimName& name, std::shared_ptr<const DkimKey> key,
                                 int64_t created_unix);
  void drop_cached(const std::string& entry_name);
  // The secret `name`'s plaintext; nullopt when absent. `mu_` held.
  Result<std::optional<SecretBytes>> open_secret(std::string_view name);

  Store& store_;
  Identity identity_;
  Now now_;
  const bool shared_;
  const std::string owner_;  // nek_owner(identity_.public_key())
  std::function<void(const std::string&)> warn_;

  mutable std::shared_mutex mu_;
  NekMap neks_;  // this identity's NEKs, by NEK name
  std::optional<std::string> credstore_nek_;
  std::optional<std::string> credstore_unavailable_;  // shared Stores only
  std::set<std::string> warned_;  // entries already reported through warn_

  mutable std::shared_mutex cache_mu_;
  Cache cache_;  // by Store entry name
};

// What list/info report for a key.
DkimKeyInfo describe_dkim(const DkimName& name, const DkimKey& key, int64_t created_unix);

}  // namespace postern::keystore
