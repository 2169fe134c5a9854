#include "keystore/rocksdb_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <filesystem>
#include <mutex>
#include <system_error>

namespace postern::keystore {
namespace {

std::string db_key(std::string_view kind, std::string_view name) {
  std::string key(kind);
  key.push_back('\0');
  key.append(name);
  return key;
}

class RocksDbStoreImpl final : public RocksDbStore {
 public:
  RocksDbStoreImpl(std::unique_ptr<rocksdb::DB> db, std::string dir)
      : db_(std::move(db)), dir_(std::move(dir)) {}

  ~RocksDbStoreImpl() override {
    // Every write was synced; Close() only releases the lock and files.
    db_->Close().PermitUncheckedError();
  }

  std::optional<Error> put(std::string_view kind, std::string_view name,
                           std::string_view sealed) override {
    if (std::optional<Error> bad = check_store_key(kind, name)) return bad;
    if (std::optional<Error> bad = check_store_value(sealed)) return bad;
    return record(db_->Put(synced(), db_key(kind, name), rocksdb::Slice(sealed.data(),
                                                                         sealed.size())),
                  "write");
  }

  Result<std::optional<std::string>> get(std::string_view kind, std::string_view name) override {
    if (std::optional<Error> bad = check_store_key(kind, name)) return *bad;
    std::string value;
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), db_key(kind, name), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return failure("read", s);
    return std::optional<std::string>(std::move(value));
  }

  std::optional<Error> remove(std::string_view kind, std::string_view name) override {
    if (std::optional<Error> bad = check_store_key(kind, name)) return bad;
    return record(db_->Delete(synced(), db_key(kind, name)), "delete");
  }

  Result<std::vector<std::string>> list(std::string_view kind) override {
    if (!valid_store_kind(kind)) {
      return make_error(Errc::invalid_argument, "an entry kind is 1 to 32 of [a-z0-9-]");
    }
    const std::string prefix = db_key(kind, "");
    std::vector<std::string> names;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      names.emplace_back(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    }
    if (!it->status().ok()) return failure("list", it->status());
    return names;
  }

  std::string unhealthy_reason() const override {
    std::lock_guard lock(mu_);
    return unhealthy_;
  }

 private:
  static rocksdb::WriteOptions synced() {
    rocksdb::WriteOptions w;
    w.sync = true;  // store.h invariant 1
    return w;
  }

  Error failure(const char* what, const rocksdb::Status& s) const {
    return make_error(Errc::resource,
                      std::string("keystore store ") + dir_ + ": " + what + " failed: " +
                          s.ToString());
  }

  // Writes update the health state: a failure is reported until a write succeeds again.
  std::optional<Error> record(const rocksdb::Status& s, const char* what) {
    std::lock_guard lock(mu_);
    if (s.ok()) {
      unhealthy_.clear();
      return std::nullopt;
    }
    Error e = failure(what, s);
    unhealthy_ = e.message;
    return e;
  }

  std::unique_ptr<rocksdb::DB> db_;
  const std::string dir_;
  mutable std::mutex mu_;
  std::string unhealthy_;
};

}  // namespace

Result<std::unique_ptr<RocksDbStore>> RocksDbStore::open(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (!ec) {
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::replace, ec);
    }
    if (ec) {
      return make_error(Errc::resource,
                        "cannot create keystore store directory " + dir + ": " + ec.message());
    }
  }
  rocksdb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    return make_error(Errc::resource,
                      "cannot open keystore store in " + dir + ": " + s.ToString());
  }
  return std::unique_ptr<RocksDbStore>(
      std::make_unique<RocksDbStoreImpl>(std::unique_ptr<rocksdb::DB>(raw), dir));
}

}  // namespace postern::keystore
