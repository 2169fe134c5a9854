#include "keystore/etcd_store.h"

#include <atomic>
#include <mutex>

#include "etcd/etcdserverpb/rpc.grpc.pb.h"
#include "keystore/etcd_client.h"
#include "keystore/etcd_keys.h"
#include "keystore/etcd_watch.h"

namespace postern::keystore {
namespace {

namespace pb = ::etcdserverpb;

class EtcdStoreImpl final : public EtcdStore {
 public:
  explicit EtcdStoreImpl(EtcdOptions options)
      : options_(std::move(options)), where_("etcd " + etcd_client::join(options_.endpoints)) {
    for (const std::string& e : options_.endpoints) {
      channels_.push_back(etcd_client::channel(e, options_.tls));
      stubs_.push_back(pb::KV::NewStub(channels_.back()));
    }
  }

  std::optional<Error> put(std::string_view kind, std::string_view name,
                           std::string_view sealed) override {
    if (std::optional<Error> bad = check_store_key(kind, name)) return bad;
    if (std::optional<Error> bad = check_store_value(sealed)) return bad;
    pb::PutRequest request;
    request.set_key(etcd_keys::entry_key(options_.prefix, kind, name));
    request.set_value(sealed.data(), sealed.size());
    pb::PutResponse response;
    return call("put", [&](pb::KV::Stub& stub, grpc::ClientContext& context) {
      return stub.Put(&context, request, &response);
    });
  }

  Result<std::optional<std::string>> get(std::string_view kind, std::string_view name) override {
    if (std::optional<Error> bad = check_store_key(kind, name)) return *bad;
    pb::RangeRequest request;
    request.set_key(etcd_keys::entry_key(options_.prefix, kind, name));
    pb::RangeResponse response;
    if (std::optional<Error> e = call("get", [&](pb::KV::Stub& stub, grpc::ClientContext& c) {
          return stub.Range(&c, request, &response);
        })) {
      return *e;
    }
    if (response.kvs_size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(std::move(*response.mutable_kvs(0)->mutable_value()));
  }

  std::optional<Error> remove(std::string_view kind, std::string_view name) override {
    if (std::optional<Error> bad = check_store_key(kind, name)) return bad;
    pb::DeleteRangeRequest request;
    request.set_key(etcd_keys::entry_key(options_.prefix, kind, name));
    pb::DeleteRangeResponse response;
    return call("remove", [&](pb::KV::Stub& stub, grpc::ClientContext& context) {
      return stub.DeleteRange(&context, request, &response);
    });
  }

  Result<std::vector<std::string>> list(std::string_view kind) override {
    if (!valid_store_kind(kind)) {
      return make_error(Errc::invalid_argument, "an entry kind is 1 to 32 of [a-z0-9-]");
    }
    const std::string key_prefix = etcd_keys::kind_prefix(options_.prefix, kind);
    pb::RangeRequest request;
    request.set_key(key_prefix);
    request.set_range_end(etcd_keys::prefix_range_end(key_prefix));
    request.set_limit(kListPageKeys);
    request.set_keys_only(true);
    request.set_sort_order(pb::RangeRequest::ASCEND);
    request.set_sort_target(pb::RangeRequest::KEY);
    std::vector<std::string> names;
    for (;;) {
      pb::RangeResponse response;
      if (std::optional<Error> e = call("list", [&](pb::KV::Stub& stub, grpc::ClientContext& c) {
            return stub.Range(&c, request, &response);
          })) {
        return *e;
      }
      // Later pages read the first page's revision: one snapshot, even across endpoints.
      if (request.revision() == 0) request.set_revision(response.header().revision());
      for (const auto& kv : response.kvs()) {
        std::optional<etcd_keys::DecodedKey> key = etcd_keys::decode_key(options_.prefix, kv.key());
        if (key && key->kind == kind) names.push_back(std::move(key->name));
      }
      if (!response.more() || response.kvs_size() == 0) break;
      request.set_key(response.kvs(response.kvs_size() - 1).key() + '\0');  // just after
    }
    return names;
  }

  std::string unhealthy_reason() const override {
    std::lock_guard lock(mu_);
    return unhealthy_;
  }

  std::unique_ptr<StoreWatch> watch(StoreChangeCallback on_change) override {
    return start_etcd_watch(options_, std::move(on_change));
  }

 private:
  // One attempt per endpoint, starting with the one that answered last, until one answers or
  // a failure is not worth trying elsewhere. Updates the health state either way.
  template <class Attempt>
  std::optional<Error> call(const char* what, const Attempt& attempt) {
    const std::size_t n = stubs_.size();
    const std::size_t first = preferred_.load(std::memory_order_relaxed);
    std::string failures;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t at = (first + i) % n;
      const auto deadline = std::chrono::system_clock::now() + options_.call_timeout;
      etcd_client::await_connection(*channels_[at], deadline);  // then the call says why not
      grpc::ClientContext context;
      context.set_deadline(deadline);
      const grpc::Status status = attempt(*stubs_[at], context);
      if (status.ok()) {
        preferred_.store(at, std::memory_order_relaxed);
        std::lock_guard lock(mu_);
        unhealthy_.clear();
        return std::nullopt;
      }
      if (!failures.empty()) failures += "; ";
      failures += options_.endpoints[at] + ": " + etcd_client::describe(status);
      if (!etcd_client::should_fail_over(status)) break;
    }
    Error e = make_error(Errc::resource, where_ + ": " + what + " failed: " + failures);
    std::lock_guard lock(mu_);
    unhealthy_ = e.message;
    return e;
  }

  const EtcdOptions options_;
  const std::string where_;  // "etcd host:port,host:port"
  std::vector<std::shared_ptr<grpc::Channel>> channels_;  // per endpoint, process-lifetime
  std::vector<std::unique_ptr<pb::KV::Stub>> stubs_;
  std::atomic<std::size_t> preferred_{0};
  mutable std::mutex mu_;
  std::string unhealthy_;
};

}  // namespace

Result<std::unique_ptr<EtcdStore>> EtcdStore::open(EtcdOptions options) {
  Result<EtcdOptions> checked = etcd_client::normalize(std::move(options));
  if (!checked.ok()) return checked.error();
  return std::unique_ptr<EtcdStore>(std::make_unique<EtcdStoreImpl>(std::move(checked).value()));
}

}  // namespace postern::keystore
