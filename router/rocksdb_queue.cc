#include "router/rocksdb_queue.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/log/log.h"

namespace postern::router {
namespace {

constexpr char kFormatKey[] = "format";
constexpr char kFormatVersion[] = "1";
// A group stops growing at this many bytes so one fsync never carries unbounded memory; the
// rest waits for the next group.
constexpr std::size_t kMaxGroupBytes = 64u << 20;

std::string dmarc_key(uint64_t sequence) {
  static const char* hex = "0123456789abcdef";
  std::string key(16, '0');
  for (std::size_t i = 16; i-- > 0; sequence >>= 4) key[i] = hex[sequence & 15];
  return key;
}

struct PendingWrite {
  std::vector<std::pair<std::string, std::string>> meta;  // key, serialized record
  std::vector<NewMessage> messages;                       // bodies (meta moved out above)
  std::vector<std::pair<std::string, std::string>> dmarc; // key, evaluation record
  std::vector<std::pair<std::string, std::string>> forwarded; // Forward key, "<ms> <id>"
  std::size_t bytes = 0;
  Queue::Done done;
};

class RocksDbQueueImpl final : public RocksDbQueue {
 public:
  RocksDbQueueImpl(std::unique_ptr<rocksdb::DB> db,
                   std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : db_(std::move(db)), handles_(std::move(handles)), log_(log::get("queue")) {
    // The DMARC sequence continues after the last stored record.
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), dmarc()));
    it->SeekToLast();
    if (it->Valid()) next_dmarc_ = std::stoull(it->key().ToString(), nullptr, 16) + 1;
    committer_ = std::thread([this] { run_committer(); });
  }

  ~RocksDbQueueImpl() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    committer_.join();
    if (auto s = db_->SyncWAL(); !s.ok()) log_->error("WAL sync at close failed: {}", s.ToString());
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    if (auto s = db_->Close(); !s.ok()) log_->error("close failed: {}", s.ToString());
  }

  void enqueue(std::vector<NewMessage> messages, Done done) override {
    PendingWrite write;
    for (NewMessage& m : messages) {
      std::string key = m.meta.queue_id();
      std::string value;
      if (key.empty() || !m.meta.SerializeToString(&value)) {
        done(QueueStatus{"cannot serialize queue record"});
        return;
      }
      write.bytes += key.size() + value.size() + m.body.size();
      if (!m.forward_key.empty()) {
        write.forwarded.emplace_back(m.forward_key,
                                     std::to_string(now_unix_ms()) + " " + key);
      }
      write.meta.emplace_back(std::move(key), std::move(value));
    }
    std::vector<std::string> evaluations;
    for (NewMessage& m : messages) {
      for (std::string& e : m.dmarc_evaluations) evaluations.push_back(std::move(e));
      m.dmarc_evaluations.clear();
    }
    write.messages = std::move(messages);
    submit_write(std::move(write), std::move(evaluations), std::move(done));
  }

  void record_dmarc(std::vector<std::string> evaluations, Done done) override {
    submit_write(PendingWrite{}, std::move(evaluations), std::move(done));
  }

  void for_each_dmarc(const std::function<bool(std::string_view)>& visit) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), dmarc()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!visit(std::string_view(it->value().data(), it->value().size()))) break;
    }
    if (!it->status().ok()) log_->error("DMARC record scan failed: {}", it->status().ToString());
  }

  std::optional<MessageRecord> load(std::string_view queue_id) override {
    rocksdb::PinnableSlice value;
    auto s = db_->Get(rocksdb::ReadOptions(), meta(), rocksdb::Slice(queue_id.data(), queue_id.size()),
                      &value);
    if (s.IsNotFound()) return std::nullopt;
    MessageRecord record;
    if (!s.ok() || !record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      log_->error("cannot read queue record {}: {}", queue_id, s.ok() ? "bad record" : s.ToString());
      return std::nullopt;
    }
    return record;
  }

  std::shared_ptr<const std::string> load_body(std::string_view queue_id) override {
    auto body = std::make_shared<std::string>();
    auto s = db_->Get(rocksdb::ReadOptions(), this->body(),
                      rocksdb::Slice(queue_id.data(), queue_id.size()), body.get());
    if (!s.ok()) {
      if (!s.IsNotFound()) log_->error("cannot read body {}: {}", queue_id, s.ToString());
      return nullptr;
    }
    return body;
  }

  QueueStatus commit_outcome(const MessageRecord& updated, bool remove,
                             std::vector<NewMessage> dsns) override {
    rocksdb::WriteBatch batch;
    const std::string& id = updated.queue_id();
    if (remove) {
      batch.Delete(meta(), id);
      batch.Delete(body(), id);
    } else {
      std::string value;
      if (!updated.SerializeToString(&value)) return QueueStatus{"cannot serialize queue record"};
      batch.Put(meta(), id, value);
    }
    for (const NewMessage& m : dsns) {
      std::string value;
      if (!m.meta.SerializeToString(&value)) return QueueStatus{"cannot serialize queue record"};
      batch.Put(meta(), m.meta.queue_id(), value);
      batch.Put(body(), m.meta.queue_id(), m.body);
    }
    return write_unsynced(batch);
  }

  QueueStatus remove(std::string_view queue_id) override {
    rocksdb::WriteBatch batch;
    const rocksdb::Slice key(queue_id.data(), queue_id.size());
    batch.Delete(meta(), key);
    batch.Delete(body(), key);
    return write_unsynced(batch);
  }

  void for_each(const std::function<bool(const MessageRecord&)>& visit) override {
    rocksdb::ReadOptions options;
    const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
    options.snapshot = snapshot;
    {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, meta()));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        MessageRecord record;
        if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
          log_->error("skipping unreadable queue record {}", it->key().ToString());
          continue;
        }
        if (!visit(record)) break;
      }
      if (!it->status().ok()) log_->error("queue scan failed: {}", it->status().ToString());
    }
    db_->ReleaseSnapshot(snapshot);
  }

  std::optional<std::string> forwarded_id(std::string_view key) override {
    std::string value;
    auto s = db_->Get(rocksdb::ReadOptions(), forwarded(), rocksdb::Slice(key.data(), key.size()),
                      &value);
    if (!s.ok()) {
      if (!s.IsNotFound()) log_->error("cannot read a forward mapping: {}", s.ToString());
      return std::nullopt;
    }
    const auto space = value.find(' ');
    if (space == std::string::npos) return std::nullopt;
    return value.substr(space + 1);
  }

  std::size_t prune_forwarded(int64_t before_unix_ms) override {
    rocksdb::WriteBatch batch;
    std::size_t pruned = 0;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), forwarded()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string value = it->value().ToString();
      int64_t stored = 0;
      try {
        stored = std::stoll(value.substr(0, value.find(' ')));
      } catch (const std::exception&) {
        stored = 0;  // unreadable: drop it
      }
      if (stored < before_unix_ms) {
        batch.Delete(forwarded(), it->key());
        ++pruned;
      }
    }
    if (pruned > 0 && !write_unsynced(batch).ok()) return 0;
    return pruned;
  }

  QueueStatus sync() override {
    auto s = db_->SyncWAL();
    return s.ok() ? QueueStatus{} : QueueStatus{s.ToString()};
  }

  std::string unhealthy_reason() override {
    uint64_t errors = 0;
    if (db_->GetIntProperty("rocksdb.background-errors", &errors) && errors > 0) {
      return "RocksDB reports " + std::to_string(errors) + " background errors";
    }
    std::lock_guard lock(mu_);
    return last_error_;
  }

  RocksDbQueueStats stats() const override {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  rocksdb::ColumnFamilyHandle* meta() const { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* body() const { return handles_[2]; }
  rocksdb::ColumnFamilyHandle* dmarc() const { return handles_[3]; }
  rocksdb::ColumnFamilyHandle* forwarded() const { return handles_[4]; }

  static int64_t now_unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // Queues `write` for the committer, with sequence keys for `evaluations` taken in the same
  // critical section as the queue position (so keys increase in commit order).
  void submit_write(PendingWrite write, std::vector<std::string> evaluations, Done done) {
    write.done = std::move(done);
    for (const std::string& e : evaluations) write.bytes += 16 + e.size();
    {
      std::lock_guard lock(mu_);
      if (stopping_) {
        write.done(QueueStatus{"queue is closing"});
        return;
      }
      for (std::string& e : evaluations) write.dmarc.emplace_back(dmarc_key(next_dmarc_++), std::move(e));
      pending_.push_back(std::move(write));
    }
    cv_.notify_one();
  }

  QueueStatus write_unsynced(rocksdb::WriteBatch& batch) {
    rocksdb::WriteOptions options;
    options.sync = false;
    auto s = db_->Write(options, &batch);
    if (s.ok()) return {};
    note_error(s.ToString());
    return QueueStatus{s.ToString()};
  }

  void note_error(const std::string& error) {
    log_->error("queue write failed: {}", error);
    std::lock_guard lock(mu_);
    last_error_ = error;
  }

  void run_committer() {
    std::deque<PendingWrite> group;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
        if (pending_.empty()) return;  // stopping, and everything handed in is done
        std::size_t bytes = 0;
        while (!pending_.empty() && (group.empty() || bytes + pending_.front().bytes <= kMaxGroupBytes)) {
          bytes += pending_.front().bytes;
          group.push_back(std::move(pending_.front()));
          pending_.pop_front();
        }
      }
      rocksdb::WriteBatch batch;
      for (PendingWrite& w : group) {
        for (std::size_t i = 0; i < w.meta.size(); ++i) {
          batch.Put(meta(), w.meta[i].first, w.meta[i].second);
          batch.Put(body(), w.meta[i].first, w.messages[i].body);
        }
        for (const auto& [key, line] : w.dmarc) batch.Put(dmarc(), key, line);
        for (const auto& [key, value] : w.forwarded) batch.Put(forwarded(), key, value);
      }
      rocksdb::WriteOptions options;
      options.sync = true;
      const auto s = db_->Write(options, &batch);
      QueueStatus status;
      if (!s.ok()) {
        status.error = s.ToString();
        note_error(status.error);
      }
      {
        std::lock_guard lock(mu_);
        ++stats_.synced_groups;
        if (s.ok()) stats_.enqueued_batches += group.size();
      }
      for (PendingWrite& w : group) w.done(status);
      group.clear();
    }
  }

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // default, meta, body, dmarc, forwarded
  std::shared_ptr<spdlog::logger> log_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<PendingWrite> pending_;
  bool stopping_ = false;
  std::string last_error_;
  RocksDbQueueStats stats_;
  uint64_t next_dmarc_ = 0;  // guarded by mu_
  std::thread committer_;  // last: starts after everything above exists
};

}  // namespace

std::unique_ptr<RocksDbQueue> RocksDbQueue::open(const std::string& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) throw std::runtime_error("queue directory " + directory + ": " + ec.message());

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  // Q3: after a crash, replay the WAL up to the first damaged record, never past a hole.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // Large bodies make the WAL grow fast; flush memtables before it holds more than this.
  db_options.max_total_wal_size = 256u << 20;
  db_options.max_background_jobs = 2;

  rocksdb::ColumnFamilyOptions meta_options;
  rocksdb::ColumnFamilyOptions body_options;
  body_options.enable_blob_files = true;
  body_options.min_blob_size = 4096;
  body_options.enable_blob_garbage_collection = true;

  std::vector<rocksdb::ColumnFamilyDescriptor> families{
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {"meta", meta_options},
      {"body", body_options},
      {"dmarc", rocksdb::ColumnFamilyOptions()},
      {"forwarded", rocksdb::ColumnFamilyOptions()}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db_options, directory, families, &handles, &raw);
  if (!s.ok()) throw std::runtime_error("cannot open queue " + directory + ": " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);

  std::string format;
  s = db->Get(rocksdb::ReadOptions(), handles[0], kFormatKey, &format);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    s = db->Put(sync, handles[0], kFormatKey, kFormatVersion);
  } else if (s.ok() && format != kFormatVersion) {
    s = rocksdb::Status::NotSupported("queue format " + format + ", this router reads format 1");
  }
  if (!s.ok()) {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    throw std::runtime_error("cannot open queue " + directory + ": " + s.ToString());
  }
  return std::make_unique<RocksDbQueueImpl>(std::move(db), std::move(handles));
}

}  // namespace postern::router
