#include "keystore/etcd_watch.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "etcd/etcdserverpb/rpc.grpc.pb.h"
#include "keystore/etcd_client.h"
#include "keystore/etcd_keys.h"

namespace postern::keystore {
namespace {

namespace pb = ::etcdserverpb;
using std::chrono::milliseconds;

constexpr milliseconds kMinBackoff{100};
constexpr milliseconds kMaxBackoff{2000};

class EtcdWatch final : public StoreWatch {
 public:
  EtcdWatch(const EtcdOptions& options, StoreChangeCallback on_change)
      : options_(options),
        where_("etcd " + etcd_client::join(options.endpoints)),
        on_change_(std::move(on_change)),
        unhealthy_(where_ + ": watch not established yet") {
    thread_ = std::thread([this] { run(); });
  }

  ~EtcdWatch() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    wake_.notify_all();
    thread_.join();
  }

  std::string unhealthy_reason() const override {
    std::lock_guard lock(mu_);
    return unhealthy_;
  }

 private:
  void run() {
    milliseconds backoff = kMinBackoff;
    std::size_t endpoint = 0;
    for (;;) {
      grpc::ClientContext context;
      {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        context_ = &context;
      }
      const bool established = stream_once(context, options_.endpoints[endpoint]);
      std::unique_lock lock(mu_);
      context_ = nullptr;
      if (stopping_) return;
      backoff = established ? kMinBackoff : std::min(backoff * 2, kMaxBackoff);
      endpoint = (endpoint + 1) % options_.endpoints.size();
      wake_.wait_for(lock, backoff, [this] { return stopping_; });
    }
  }

  // One Watch stream on one endpoint, until it ends. True when etcd created the watch.
  bool stream_once(grpc::ClientContext& context, const std::string& endpoint) {
    // Upstream's WithRequireLeader: a member without a leader cancels the stream.
    context.AddMetadata("hasleader", "true");
    std::shared_ptr<grpc::Channel> channel = etcd_client::channel(endpoint, options_.tls);
    // etcd_client::await_connection, in slices so that the destructor never waits long.
    const auto start = std::chrono::system_clock::now();
    for (auto now = start; now < start + options_.call_timeout && !stopping();
         now = std::chrono::system_clock::now()) {
      const grpc_connectivity_state state = etcd_client::await_connection(
          *channel, std::min(start + options_.call_timeout, now + kMinBackoff));
      if (state == GRPC_CHANNEL_READY) break;
      if (state == GRPC_CHANNEL_TRANSIENT_FAILURE && now - start >= etcd_client::kFailureProbe) {
        break;
      }
    }
    std::unique_ptr<pb::Watch::Stub> stub = pb::Watch::NewStub(channel);
    std::unique_ptr<grpc::ClientReaderWriter<pb::WatchRequest, pb::WatchResponse>> stream =
        stub->Watch(&context);
    pb::WatchRequest request;
    pb::WatchCreateRequest* create = request.mutable_create_request();
    create->set_key(options_.prefix);
    create->set_range_end(etcd_keys::prefix_range_end(options_.prefix));
    create->set_start_revision(next_revision_);  // 0: from now
    create->set_fragment(true);  // big catch-up batches come in pieces under etcd's limit
    bool created = false;
    std::string ended;
    if (stream->Write(request)) {
      pb::WatchResponse response;
      while (stream->Read(&response)) {
        if (response.canceled()) {
          // Resuming is impossible when the history from next_revision_ was compacted.
          if (response.compact_revision() > 0) next_revision_ = 0;
          ended = "cancelled by etcd: " + (response.cancel_reason().empty()
                                                ? std::string("history compacted")
                                                : response.cancel_reason());
          context.TryCancel();
          break;
        }
        if (response.created()) {
          created = true;
          set_unhealthy("");
          if (next_revision_ == 0) {
            next_revision_ = response.header().revision() + 1;
            deliver(StoreChange{});  // resync
          }
        }
        deliver_events(response);
      }
    }
    const grpc::Status status = stream->Finish();
    if (ended.empty()) ended = etcd_client::describe(status);
    set_unhealthy(where_ + ": watch on " + endpoint + " ended: " + ended);
    return created;
  }

  void deliver_events(const pb::WatchResponse& response) {
    int64_t last = 0;
    for (const auto& event : response.events()) {
      last = std::max(last, event.kv().mod_revision());
      std::optional<etcd_keys::DecodedKey> key =
          etcd_keys::decode_key(options_.prefix, event.kv().key());
      if (!key) continue;  // not written by this backend
      StoreChange change;
      change.type = event.type() == mvccpb::Event::DELETE ? StoreChange::Type::removed
                                                          : StoreChange::Type::put;
      change.kind = std::move(key->kind);
      change.name = std::move(key->name);
      deliver(change);
    }
    // A fragment may end inside a revision: resume at that revision (re-reporting some of its
    // changes is allowed), else after it.
    if (last > 0) next_revision_ = std::max(next_revision_, response.fragment() ? last : last + 1);
  }

  void deliver(const StoreChange& change) {
    if (on_change_) on_change_(change);
  }

  bool stopping() const {
    std::lock_guard lock(mu_);
    return stopping_;
  }

  void set_unhealthy(std::string reason) {
    std::lock_guard lock(mu_);
    unhealthy_ = std::move(reason);
  }

  const EtcdOptions options_;
  const std::string where_;
  const StoreChangeCallback on_change_;
  int64_t next_revision_ = 0;  // thread-only: first revision not yet reported; 0 = none

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;                     // guarded by mu_
  grpc::ClientContext* context_ = nullptr;    // guarded by mu_: the live stream's context
  std::string unhealthy_;                     // guarded by mu_
  std::thread thread_;  // last: started once every member above is initialized
};

}  // namespace

std::unique_ptr<StoreWatch> start_etcd_watch(const EtcdOptions& options,
                                             StoreChangeCallback on_change) {
  return std::make_unique<EtcdWatch>(options, std::move(on_change));
}

}  // namespace postern::keystore
