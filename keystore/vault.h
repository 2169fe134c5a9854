// KeyVault: the keystore's logic, between the gRPC services (keystore/service/) and the
// cryptographic core (nek, seal, dkim_key, identity, password_wrap, bundle) over a Store.
//
// State and storage (all values sealed, see store.h):
//   kind "nek"       name OWNER 0x00 NEKNAME value: the NEK wrapped by the Identity whose
//                                            public key starts with OWNER (16 hex digits;
//                                            vault_entries.h); one entry per NEK and identity
//   kind "credstore" name "default"          value: which NEK seals the entries, sealed (PKSE)
//                                            under that NEK so it cannot be pointed elsewhere
//   kind "dkim"      name DOMAIN 0x00 SEL    value: PKCS#8 DER + metadata, sealed under the
//                                            credstore NEK (AD binds kind and name)
//   kind "secret"    name NAME               value: username + value + time, sealed likewise
// NEKs are unwrapped once at open() and kept in guarded memory. Every DKIM key is opened at
// open() (and on a resync) and cached (OpenSSL EVP keys; wiped by OpenSSL when freed), so a
// keystore holds its keys and signs with them while its Store is unreachable; a delete or
// overwrite drops the cached key. Nothing secret is ever logged or put in an Error message.
//
// Exclusive and shared Stores (VaultOptions::shared):
// - exclusive (RocksDB, one keystore): every NEK entry must unwrap with this identity and the
//   credential store must open, else open() fails (another keystore's data dir). NEK entries
//   of the legacy layout (name NEKNAME, written before per-identity entries) are migrated at
//   open(): the same wrapped bytes are stored under OWNER 0x00 NEKNAME, then the old entry is
//   removed (a crash in between leaves both; the next open finishes).
// - shared (etcd, replicas): replicas may have different identities. Entries of other owners
//   are skipped; a replica that holds no NEK opening the credential store still opens (so the
//   admin can `keymgmt import nek`, which stores this identity's own wrapping), and every DKIM
//   or secret operation then fails with resource ("does not hold the NEK ..."), which a
//   router treats as unavailable and fails over. create_nek refuses a name another identity
//   already has (import that NEK instead). A key, NEK entry or legacy entry that does not open
//   is reported once through VaultOptions::warn (its name, never bytes) and skipped. The
//   replica follows the other replicas' changes through apply() (fed from the Store's watch).
//   Two replicas creating the same NEK or credential store at the same instant can both
//   succeed (the Store has no compare-and-set); the later write wins. Admins create these once.
//
// Contract:
// - Every mutating call is durable when it returns success (Store::put/remove) and changes
//   nothing when it fails (a new key is generated and sealed before anything is stored).
// - Names: NEK names per nek.h; domains lower-case A-labels without trailing dot (input is
//   normalized: "Example.COM." -> "example.com"); selectors RFC 6376 3.1 (labels of letters,
//   digits and '-'); secret names 1..128 bytes of [A-Za-z0-9._@+-].
//   Selectors are lower-cased like domains (DNS names compare case-insensitively), in every
//   call including sign(); rules in names.h. Secrets: username 0..1024 bytes, value
//   1..16384 bytes (vault_entries.h). create_dkim: RSA bits 1024 | 2048 | 4096, Ed25519 0
//   (or 256). delete_* return false when there was nothing to delete.
// - Errors (Errc): invalid_argument (bad name, bits, PEM, password, digest size),
//   not_found (no such NEK / key / secret), already_exists (create over an existing name,
//   import of a different key without overwrite), no_credstore (DKIM or secret operation
//   before create_credstore), wrong_password / tampered / authentication_failed / malformed
//   (imported files), resource (storage failure naming the backend, e.g. "etcd a:2379,...",
//   guarded memory, a shared Store whose credential store NEK this replica does not hold).
// - Every method may be called from several threads at once; sign() takes no exclusive lock
//   on the hot path once the key is cached.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keystore/dkim_key.h"
#include "keystore/identity.h"
#include "keystore/password_wrap.h"
#include "keystore/result.h"
#include "keystore/secret_bytes.h"
#include "keystore/store.h"
#include "keystore/store_watch.h"

namespace postern::keystore {

struct NekInfo {
  std::string name;
  std::string fingerprint;  // grouped hex (nek.h)
};

struct CredstoreInfo {
  std::string nek;
  std::string nek_fingerprint;
  uint32_t dkim_keys = 0;
  uint32_t secrets = 0;
};

struct DkimKeyInfo {
  std::string domain;
  std::string selector;
  KeyType type = KeyType::rsa;
  int bits = 0;               // RSA modulus bits; 256 for Ed25519
  std::string fingerprint;    // DkimKey::fingerprint()
  std::string dns_name;       // SELECTOR._domainkey.DOMAIN
  std::string dns_value;      // DkimKey::dns_record()
  int64_t created_unix = 0;   // when created or first imported here (kept across transfer)
};

struct SecretInfo {
  std::string name;
  std::string username;
  int64_t updated_unix = 0;
};

struct SecretValue {
  std::string username;
  SecretBytes value;
};

struct Signed {
  std::string algorithm;  // "rsa-sha256" | "ed25519-sha256"
  std::string signature;  // raw b= bytes
};

// How a DKIM bundle is protected (bundle.h): a password, or sealed for another keystore's
// identity (its raw 32-byte X25519 public key).
struct BundleProtection {
  std::optional<std::string> password;
  std::optional<std::string> recipient_public_key;
  PasswordLimits limits = PasswordLimits::moderate();  // password bundles only
};

struct ExportedBundle {
  std::string content;                // the bundle file (public: safe to store and send)
  std::vector<DkimKeyInfo> keys;      // what it holds
};

struct BundleImport {
  std::vector<DkimKeyInfo> imported;   // new or replaced
  std::vector<DkimKeyInfo> unchanged;  // present already with the same key
};

struct VaultOptions {
  using Now = std::function<int64_t()>;
  // False: this keystore alone uses the Store; true: replicas share it (see above).
  bool shared = false;
  Now now;  // unix seconds; injectable for tests; default the system clock
  // Told (a sentence with the entry's name, no secret) about an entry skipped because it does
  // not open here; once per entry until it changes. Called with the vault's lock held: it
  // must only log. Default: nothing.
  std::function<void(const std::string&)> warn;
};

class KeyVault {
 public:
  using Now = std::function<int64_t()>;  // unix seconds; injectable for tests

  // Loads every NEK from `store` and unwraps it with `identity`, then opens the credential
  // store and every DKIM key. Exclusive: a NEK that does not unwrap (another identity's data
  // dir) fails the open with authentication_failed naming the NEK. A storage failure fails it
  // with resource.
  static Result<std::unique_ptr<KeyVault>> open(Store& store, Identity identity, Now now = {});
  static Result<std::unique_ptr<KeyVault>> open(Store& store, Identity identity,
                                                VaultOptions options);

  virtual ~KeyVault() = default;

  // A change another replica made to the shared Store (store_watch.h): a DKIM entry drops
  // and reloads that key; a NEK entry of this identity or the credential store entry, and a
  // resync, reload the NEKs, the credential store and every DKIM key; secrets and other
  // identities' NEK entries need nothing. Idempotent. resource when the Store cannot be read:
  // nothing was lost, but the caller should apply a resync later (until one succeeds the
  // vault may miss changes). A failed resync keeps every key held before it.
  virtual std::optional<Error> apply(const StoreChange& change) = 0;

  virtual const Identity& identity() const = 0;

  // NEKs.
  virtual Result<NekInfo> create_nek(std::string_view name) = 0;
  virtual Result<std::vector<NekInfo>> list_neks() = 0;
  virtual Result<std::string> export_nek(std::string_view name, std::string_view password,
                                         PasswordLimits limits = PasswordLimits::moderate()) = 0;
  // Same name and key already present: succeeds (idempotent). Same name, other key: needs
  // overwrite, and is refused while the NEK seals the credential store.
  virtual Result<NekInfo> import_nek(std::string_view file, std::string_view password,
                                     bool overwrite) = 0;

  // The credential store (one per keystore).
  virtual Result<CredstoreInfo> create_credstore(std::string_view nek_name) = 0;
  virtual Result<CredstoreInfo> credstore() = 0;

  // DKIM keys.
  virtual Result<DkimKeyInfo> create_dkim(std::string_view domain, std::string_view selector,
                                          KeyType type, int bits) = 0;
  virtual Result<DkimKeyInfo> import_dkim(std::string_view domain, std::string_view selector,
                                          std::string_view pem, bool overwrite) = 0;
  // Sorted by domain, then selector. An empty filter lists all.
  virtual Result<std::vector<DkimKeyInfo>> list_dkim(std::string_view domain = {}) = 0;
  virtual Result<DkimKeyInfo> dkim_info(std::string_view domain, std::string_view selector) = 0;
  virtual Result<bool> delete_dkim(std::string_view domain, std::string_view selector) = 0;
  // Every key matching the filters (empty = all); not_found when none matches.
  virtual Result<ExportedBundle> export_dkim_bundle(std::string_view domain,
                                                    std::string_view selector,
                                                    const BundleProtection& protection) = 0;
  // Password bundles need `password`; bundles sealed for this identity ignore it.
  virtual Result<BundleImport> import_bundle(std::string_view content, std::string_view password,
                                             bool overwrite) = 0;

  // Secrets.
  virtual Result<SecretInfo> set_secret(std::string_view name, std::string_view username,
                                        std::string_view value) = 0;
  virtual Result<std::vector<SecretInfo>> list_secrets() = 0;
  virtual Result<SecretValue> get_secret(std::string_view name) = 0;
  virtual Result<bool> delete_secret(std::string_view name) = 0;

  // The signing oracle: `digest` is the 32-byte SHA-256 of the DKIM header-hash input.
  virtual Result<Signed> sign(std::string_view domain, std::string_view selector,
                              std::string_view digest) = 0;
};

}  // namespace postern::keystore
