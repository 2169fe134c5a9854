#include "router/greylist/rocksdb_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <stdexcept>

namespace postern::router::greylist {
namespace {

const std::string kFormatKey("\0format", 7);
constexpr char kFormatVersion[] = "1";
// A sweep deletes in batches of this many keys, so one write never grows unbounded.
constexpr std::size_t kSweepBatch = 1000;

class RocksDbStoreImpl final : public RocksDbStore {
 public:
  explicit RocksDbStoreImpl(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

  ~RocksDbStoreImpl() override {
    // Unsynced writes are in the OS already (the WAL is written on every put); make them
    // durable on a clean close. Failure here only costs greylist state.
    (void)db_->SyncWAL();
    (void)db_->Close();
  }

  StoreGet get(const std::string& key) override {
    StoreGet out;
    std::string value;
    const auto s = db_->Get(rocksdb::ReadOptions(), key, &value);
    if (s.IsNotFound()) return out;
    if (!s.ok()) {
      out.error = "greylist store read: " + s.ToString();
      return out;
    }
    out.entry = decode(value);  // undecodable: treated as missing
    return out;
  }

  StoreStatus put(const std::string& key, const Entry& entry) override {
    rocksdb::WriteOptions options;
    options.sync = false;  // see the header: losing greylist state only delays mail
    const auto s = db_->Put(options, key, encode(entry));
    if (!s.ok()) return StoreStatus{"greylist store write: " + s.ToString()};
    return {};
  }

  StoreSweep sweep(SysTime now) override {
    StoreSweep out;
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key() == kFormatKey) continue;
      const auto entry = decode(std::string_view(it->value().data(), it->value().size()));
      if (entry && entry->expires_at >= now) continue;
      batch.Delete(it->key());
      ++out.deleted;
      if (batch.Count() >= kSweepBatch) {
        if (auto s = write(batch); !s.ok()) return fail(out, s);
        batch.Clear();
      }
    }
    if (!it->status().ok()) return fail(out, it->status());
    if (batch.Count() > 0) {
      if (auto s = write(batch); !s.ok()) return fail(out, s);
    }
    return out;
  }

  std::size_t count() override {
    std::size_t n = 0;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key() != kFormatKey) ++n;
    }
    return n;
  }

 private:
  rocksdb::Status write(rocksdb::WriteBatch& batch) {
    rocksdb::WriteOptions options;
    options.sync = false;
    return db_->Write(options, &batch);
  }
  static StoreSweep fail(StoreSweep out, const rocksdb::Status& s) {
    out.error = "greylist sweep: " + s.ToString();
    return out;
  }

  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

std::unique_ptr<RocksDbStore> RocksDbStore::open(const std::string& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) throw std::runtime_error("greylist directory " + directory + ": " + ec.message());
  rocksdb::Options options;
  options.create_if_missing = true;
  options.max_background_jobs = 1;
  options.max_total_wal_size = 64u << 20;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, directory, &raw);
  if (!s.ok()) throw std::runtime_error("cannot open greylist store " + directory + ": " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string format;
  s = db->Get(rocksdb::ReadOptions(), kFormatKey, &format);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    s = db->Put(sync, kFormatKey, kFormatVersion);
  } else if (s.ok() && format != kFormatVersion) {
    s = rocksdb::Status::NotSupported("greylist format " + format + ", this router reads format 1");
  }
  if (!s.ok()) throw std::runtime_error("cannot open greylist store " + directory + ": " + s.ToString());
  return std::make_unique<RocksDbStoreImpl>(std::move(db));
}

}  // namespace postern::router::greylist
