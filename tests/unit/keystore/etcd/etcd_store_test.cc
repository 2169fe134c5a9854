// The etcd Store backend against a real single-member etcd: the RocksDB store's behavioural
// cases (put/get/replace/remove, name order per kind, a second instance sees the data,
// plaintext and bad keys refused), values of the full 1 MiB, list paging past
// kListPageKeys with keys of other layouts ignored, concurrent callers, option checks,
// unreachable endpoints, and the watch (a put and a remove from another instance within 1 s,
// other prefixes not reported, a prompt stop).
#include "keystore/etcd_store.h"

#include <gtest/gtest.h>

#include <iostream>
#include <thread>

#include "etcd/etcdserverpb/rpc.grpc.pb.h"
#include "keystore/etcd_client.h"
#include "keystore/etcd_keys.h"
#include "tests/unit/keystore/etcd/change_recorder.h"
#include "tests/unit/keystore/etcd/etcd_cluster.h"

namespace postern::keystore {
namespace {

using namespace std::literals;
using namespace std::chrono_literals;
using testing::ChangeRecorder;
using testing::open_etcd_store;
using testing::options_for;
using testing::shared_cluster;
using Names = std::vector<std::string>;
using Type = StoreChange::Type;

std::string sealed(const std::string& tag) { return "PKSE\x01" + tag; }

std::optional<std::string> get(Store& store, std::string_view kind, std::string_view name) {
  Result<std::optional<std::string>> r = store.get(kind, name);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : std::nullopt;
}

Names list(Store& store, std::string_view kind) {
  Result<Names> r = store.list(kind);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : Names{};
}

std::unique_ptr<EtcdStore> open_shared() {
  return open_etcd_store(options_for(shared_cluster(1).endpoints()));
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

TEST(EtcdStoreTest, PutGetReplaceRemove) {
  auto store = open_shared();
  ASSERT_TRUE(store);
  EXPECT_EQ(get(*store, "nek", "main"), std::nullopt);
  EXPECT_FALSE(store->put("nek", "main", sealed("one")));
  EXPECT_EQ(get(*store, "nek", "main"), sealed("one"));
  EXPECT_EQ(get(*store, "secret", "main"), std::nullopt);  // kinds are separate
  EXPECT_FALSE(store->put("nek", "main", sealed("two")));
  EXPECT_EQ(get(*store, "nek", "main"), sealed("two"));
  EXPECT_FALSE(store->remove("nek", "main"));
  EXPECT_EQ(get(*store, "nek", "main"), std::nullopt);
  EXPECT_FALSE(store->remove("nek", "main"));  // absent: still success
  EXPECT_EQ(store->unhealthy_reason(), "");
}

TEST(EtcdStoreTest, ListIsInNameOrderAndPerKind) {
  auto store = open_shared();
  ASSERT_TRUE(store);
  const Names names = {"b.example\0s2"s, "a.example\0z"s, "b.example\0s1"s, "\xff"s,
                       "a.example"s, "A"s, "\0"s, "\x7f\x80"s};
  for (const std::string& n : names) ASSERT_FALSE(store->put("dkim", n, sealed(n)));
  ASSERT_FALSE(store->put("dkim-old", "x", sealed("x")));
  ASSERT_FALSE(store->put("dkimx", "y", sealed("y")));
  ASSERT_FALSE(store->put("dki", "z", sealed("z")));
  EXPECT_EQ(list(*store, "dkim"),
            (Names{"\0"s, "A"s, "a.example"s, "a.example\0z"s, "b.example\0s1"s,
                   "b.example\0s2"s, "\x7f\x80"s, "\xff"s}));
  EXPECT_EQ(list(*store, "dkim-old"), (Names{"x"}));
  EXPECT_EQ(list(*store, "dki"), (Names{"z"}));
  EXPECT_EQ(list(*store, "secret"), Names{});
  EXPECT_EQ(get(*store, "dkim", "b.example\0s1"s), sealed("b.example\0s1"s));
  EXPECT_EQ(get(*store, "dkim", "\0"s), sealed("\0"s));
}

TEST(EtcdStoreTest, AnotherInstanceSeesTheEntriesAndOtherPrefixesDoNot) {
  {
    auto store = open_shared();
    ASSERT_TRUE(store);
    ASSERT_FALSE(store->put("nek", "main", sealed("n")));
    ASSERT_FALSE(store->put("dkim", "d\0s"s, sealed("k")));
    ASSERT_FALSE(store->put("dkim", "gone", sealed("g")));
    ASSERT_FALSE(store->remove("dkim", "gone"));
  }
  auto store = open_shared();
  ASSERT_TRUE(store);
  EXPECT_EQ(get(*store, "nek", "main"), sealed("n"));
  EXPECT_EQ(list(*store, "dkim"), (Names{"d\0s"s}));

  EtcdOptions other = options_for(shared_cluster(1).endpoints());
  other.prefix += "other/";  // nested under ours, but with a kind-shaped segment: still apart
  auto apart = open_etcd_store(other);
  ASSERT_TRUE(apart);
  EXPECT_EQ(get(*apart, "nek", "main"), std::nullopt);
  EXPECT_EQ(list(*apart, "dkim"), Names{});
}

TEST(EtcdStoreTest, RefusesPlaintextValuesAndStoresTheLargestSealedOne) {
  auto store = open_shared();
  ASSERT_TRUE(store);
  for (const std::string& value :
       {"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI...\n"s, "password"s, ""s, "PKSE"s,
        "PKSX\x01..."s}) {
    std::optional<Error> e = store->put("secret", "relay", value);
    ASSERT_TRUE(e) << value;
    EXPECT_EQ(e->code, Errc::invalid_argument);
  }
  EXPECT_TRUE(store->put("secret", "big", sealed(std::string(kMaxStoredValueBytes, 'x'))));
  EXPECT_EQ(list(*store, "secret"), Names{});
  EXPECT_FALSE(store->put("nek", "main", "PKNW\x01..."s));
  EXPECT_FALSE(store->put("bundle", "in", "PKBX\x01..."s));

  // Exactly kMaxStoredValueBytes, every byte value, under a 1024-byte name: etcd's default
  // 1.5 MiB request limit holds it.
  std::string largest = sealed("");
  while (largest.size() < kMaxStoredValueBytes) {
    largest.push_back(static_cast<char>(largest.size()));
  }
  const std::string long_name(kMaxEntryNameBytes, '\xee');
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_FALSE(store->put("dkim", long_name, largest));
  const double put_ms = ms_since(t0);
  EXPECT_EQ(get(*store, "dkim", long_name), largest);
  EXPECT_EQ(list(*store, "dkim"), Names{long_name});
  std::cout << "[ measure ] put of a 1 MiB value: " << put_ms << " ms\n";
}

TEST(EtcdStoreTest, RefusesBadKindsAndNames) {
  auto store = open_shared();
  ASSERT_TRUE(store);
  for (std::string_view kind : {""sv, "DKIM"sv, "dk\0im"sv, "dk im"sv, "dk/im"sv,
                                std::string_view("0123456789012345678901234567890123")}) {
    std::optional<Error> e = store->put(kind, "n", sealed("v"));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, Errc::invalid_argument);
    EXPECT_FALSE(store->get(kind, "n").ok());
    EXPECT_TRUE(store->remove(kind, "n"));
    EXPECT_FALSE(store->list(kind).ok());
  }
  EXPECT_TRUE(store->put("dkim", "", sealed("v")));
  EXPECT_TRUE(store->put("dkim", std::string(kMaxEntryNameBytes + 1, 'n'), sealed("v")));
  EXPECT_FALSE(store->put("dkim", std::string(kMaxEntryNameBytes, 'n'), sealed("v")));
  EXPECT_EQ(store->unhealthy_reason(), "");  // refused input is not a backend failure
}

// Writes straight to etcd (Txn of up to 100 puts; etcd allows 128 ops per txn).
void put_raw(const std::string& endpoint,
             const std::vector<std::pair<std::string, std::string>>& kvs) {
  auto stub = etcdserverpb::KV::NewStub(etcd_client::channel(endpoint, std::nullopt));
  for (std::size_t i = 0; i < kvs.size(); i += 100) {
    etcdserverpb::TxnRequest txn;
    for (std::size_t j = i; j < std::min(kvs.size(), i + 100); ++j) {
      auto* put = txn.add_success()->mutable_request_put();
      put->set_key(kvs[j].first);
      put->set_value(kvs[j].second);
    }
    etcdserverpb::TxnResponse reply;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    grpc::Status status = stub->Txn(&context, txn, &reply);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
}

TEST(EtcdStoreTest, ListPagesThroughManyEntriesAndIgnoresForeignKeys) {
  auto store = open_shared();
  ASSERT_TRUE(store);
  const std::string prefix = testing::unique_prefix();
  Names expected;
  std::vector<std::pair<std::string, std::string>> kvs;
  for (int i = 0; i < 2 * EtcdStore::kListPageKeys + 345; ++i) {
    std::string name = "d" + std::to_string(i * 7919 % 100000) + "\0s"s;
    expected.push_back(name);
    kvs.emplace_back(etcd_keys::entry_key(prefix, "dkim", name), sealed("v"));
  }
  // Keys of other layouts under the kind's prefix, and a neighbour kind.
  kvs.emplace_back(prefix + "dkim/XYZ", "junk");
  kvs.emplace_back(prefix + "dkim/abc", "junk");
  kvs.emplace_back(prefix + "dkim/6", "junk");
  kvs.emplace_back(etcd_keys::entry_key(prefix, "dkim2", "n"), sealed("v"));
  put_raw(shared_cluster(1).endpoints()[0], kvs);
  std::sort(expected.begin(), expected.end());
  const auto t0 = std::chrono::steady_clock::now();
  const Names got = list(*store, "dkim");
  std::cout << "[ measure ] list of " << got.size() << " names (3 pages): " << ms_since(t0)
            << " ms\n";
  EXPECT_EQ(got, expected);
  EXPECT_EQ(get(*store, "dkim", expected[1234]), sealed("v"));
}

TEST(EtcdStoreTest, SeveralThreadsAtOnce) {
  auto store = open_shared();
  ASSERT_TRUE(store);
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  const auto t0 = std::chrono::steady_clock::now();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        EXPECT_FALSE(store->put("secret", name, sealed(name)));
        EXPECT_EQ(get(*store, "secret", name), sealed(name));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::cout << "[ measure ] " << kThreads * kEach << " put+get pairs on " << kThreads
            << " threads: " << ms_since(t0) << " ms\n";
  EXPECT_EQ(list(*store, "secret").size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST(EtcdStoreTest, OpenChecksTheOptions) {
  const auto refused = [](EtcdOptions o) {
    Result<std::unique_ptr<EtcdStore>> r = EtcdStore::open(std::move(o));
    EXPECT_FALSE(r.ok());
    if (r.ok()) return std::string();
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    return r.error().message;
  };
  EtcdOptions o;
  EXPECT_NE(refused(o).find("no endpoints"), std::string::npos);
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000",
                          ":2379", "host:12ab", "grpc://h:1", "h:1/x"}) {
    o.endpoints = {"127.0.0.1:2379", bad};
    EXPECT_NE(refused(o).find(bad), std::string::npos) << bad;
  }
  o.endpoints = {"https://127.0.0.1:2379"};
  EXPECT_NE(refused(o).find("https needs keystore.etcd.tls"), std::string::npos);
  o.tls = EtcdTlsPem{"-----BEGIN CERTIFICATE-----", "", ""};
  EXPECT_TRUE(EtcdStore::open(o).ok());  // https with a CA; no I/O yet
  o.tls.reset();
  o.endpoints = {"http://127.0.0.1:2379", "localhost:2379", "[::1]:2379"};
  o.prefix = "/no-slash";
  EXPECT_NE(refused(o).find("prefix"), std::string::npos);
  o.prefix = "/postern/keystore/";
  o.call_timeout = 10ms;
  EXPECT_NE(refused(o).find("timeout"), std::string::npos);
  o.call_timeout = 3s;
  EXPECT_TRUE(EtcdStore::open(o).ok());  // no I/O: nothing listens there
  o.endpoints.assign(17, "127.0.0.1:2379");
  EXPECT_NE(refused(o).find("16"), std::string::npos);
}

TEST(EtcdStoreTest, UnreachableEndpointsFailAtOnceNamingThem) {
  // Privileged ports nothing listens on here (tcpmux, discard): connections are refused.
  EtcdOptions o = options_for({"127.0.0.1:1", "127.0.0.1:9"});
  auto store = open_etcd_store(o);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->unhealthy_reason(), "");
  const auto t0 = std::chrono::steady_clock::now();
  std::optional<Error> e = store->put("nek", "main", sealed("n"));
  const double ms = ms_since(t0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, Errc::resource);
  EXPECT_EQ(e->message.rfind("etcd 127.0.0.1:1,127.0.0.1:9: put failed: ", 0), 0u) << e->message;
  EXPECT_NE(e->message.find("127.0.0.1:9: unavailable"), std::string::npos) << e->message;
  EXPECT_LT(ms, 3000);
  EXPECT_EQ(store->unhealthy_reason(), e->message);
  Result<std::optional<std::string>> g = store->get("nek", "main");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, Errc::resource);
  ASSERT_FALSE(store->list("nek").ok());
  ASSERT_TRUE(store->remove("nek", "main"));
  std::cout << "[ measure ] put to two refusing endpoints failed in " << ms << " ms\n";

  ChangeRecorder recorder;
  const auto t1 = std::chrono::steady_clock::now();
  {
    auto watch = store->watch(recorder.callback());
    EXPECT_NE(watch->unhealthy_reason(), "");
  }
  EXPECT_LT(ms_since(t1), 1000);  // stopped promptly while reconnecting
  EXPECT_EQ(recorder.snapshot().size(), 0u);
}

TEST(EtcdStoreTest, WatchSeesPutAndRemoveFromAnotherInstanceWithinASecond) {
  const EtcdOptions options = options_for(shared_cluster(1).endpoints());
  auto watcher_store = open_etcd_store(options);
  auto writer = open_etcd_store(options);
  ASSERT_TRUE(watcher_store && writer);
  EtcdOptions neighbour = options;
  neighbour.prefix = "/test/neighbour/";
  auto other = open_etcd_store(neighbour);
  ASSERT_TRUE(other);

  ChangeRecorder recorder;
  auto watch = watcher_store->watch(recorder.callback());
  ASSERT_EQ(recorder.await_resync(5s), 0);  // first, once established
  EXPECT_EQ(watch->unhealthy_reason(), "");

  ASSERT_FALSE(other->put("dkim", "x", sealed("x")));  // another prefix: not reported
  const auto put_at = std::chrono::steady_clock::now();
  ASSERT_FALSE(writer->put("dkim", "ex.com\0s1"s, sealed("k")));
  const int put = recorder.await(Type::put, "dkim", "ex.com\0s1"s, 1s);
  ASSERT_GT(put, 0);
  const double put_ms =
      std::chrono::duration<double, std::milli>(recorder.snapshot()[put].at - put_at).count();

  const auto remove_at = std::chrono::steady_clock::now();
  ASSERT_FALSE(writer->remove("dkim", "ex.com\0s1"s));
  const int removed = recorder.await(Type::removed, "dkim", "ex.com\0s1"s, 1s, put + 1);
  ASSERT_GT(removed, put);
  const double remove_ms =
      std::chrono::duration<double, std::milli>(recorder.snapshot()[removed].at - remove_at)
          .count();
  std::cout << "[ measure ] watch latency (call start to callback): put " << put_ms
            << " ms, remove " << remove_ms << " ms\n";

  for (const testing::RecordedChange& r : recorder.snapshot()) EXPECT_NE(r.change.name, "x");
  EXPECT_EQ(recorder.count(Type::resync), 1u);

  const auto t0 = std::chrono::steady_clock::now();
  watch.reset();
  EXPECT_LT(ms_since(t0), 1000);
  const std::size_t seen = recorder.snapshot().size();
  ASSERT_FALSE(writer->put("dkim", "after", sealed("a")));
  EXPECT_EQ(recorder.await(Type::put, "dkim", "after", 300ms), -1);  // stopped: no more calls
  EXPECT_EQ(recorder.snapshot().size(), seen);
}

}  // namespace
}  // namespace postern::keystore
