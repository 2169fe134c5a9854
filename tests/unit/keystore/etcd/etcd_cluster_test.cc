// The etcd Store backend against a real 3-member etcd cluster: with one member down put, get
// and list keep working (failover to the next endpoint); with every member killed a put fails
// with resource naming the endpoints, within the deadline, and unhealthy_reason() says why;
// with the members back it works again and nothing stored before the crash is lost; a member left
// without quorum fails calls within the deadline and ends its watch streams. The watch survives
// a member restart (resuming from its revision: a change made while it was disconnected is
// reported, with no resync), fails over to another member, and reports {resync} when the
// history it would resume from was compacted away.
#include <gtest/gtest.h>

#include <iostream>
#include <thread>

#include "etcd/etcdserverpb/rpc.grpc.pb.h"
#include "keystore/etcd_client.h"
#include "keystore/etcd_store.h"
#include "tests/unit/keystore/etcd/change_recorder.h"
#include "tests/unit/keystore/etcd/etcd_cluster.h"

namespace postern::keystore {
namespace {

using namespace std::literals;
using namespace std::chrono_literals;
using testing::ChangeRecorder;
using testing::EtcdCluster;
using testing::open_etcd_store;
using testing::options_for;
using Names = std::vector<std::string>;
using Type = StoreChange::Type;

std::string sealed(const std::string& tag) { return "PKSE\x01" + tag; }

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

EtcdCluster& cluster() { return testing::shared_cluster(3); }

// Polls `ok` until it holds or `timeout` passes (events we cannot subscribe to: a member
// coming back as seen by gRPC's reconnect).
template <class F>
bool eventually(F ok, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (ok()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
}

// Restarts whatever a test stopped, so the next test finds three healthy members.
class EtcdClusterTest : public ::testing::Test {
 protected:
  void TearDown() override { cluster().start({0, 1, 2}); }
};

TEST_F(EtcdClusterTest, OneMemberDownKeepsPutGetListWorking) {
  auto store = open_etcd_store(options_for(cluster().endpoints()));
  ASSERT_TRUE(store);
  ASSERT_FALSE(store->put("dkim", "before", sealed("b")));
  cluster().stop({0});  // the first endpoint, the one the store was using
  const auto t0 = std::chrono::steady_clock::now();
  std::optional<Error> e = store->put("dkim", "during\0s"s, sealed("d"));
  const double first_ms = ms_since(t0);
  ASSERT_FALSE(e) << e->message;
  const auto t1 = std::chrono::steady_clock::now();
  ASSERT_FALSE(store->put("dkim", "during2", sealed("d2")));
  const double next_ms = ms_since(t1);
  Result<std::optional<std::string>> got = store->get("dkim", "before");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got.value(), sealed("b"));
  Result<Names> names = store->list("dkim");
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_EQ(names.value(), (Names{"before", "during\0s"s, "during2"}));
  ASSERT_FALSE(store->remove("dkim", "during2"));
  EXPECT_EQ(store->unhealthy_reason(), "");
  std::cout << "[ measure ] member 0 down: first put (fails over) " << first_ms
            << " ms, next put " << next_ms << " ms\n";

  // Another member down instead: still a quorum, still working.
  cluster().start({0});
  cluster().stop({2});
  ASSERT_FALSE(store->put("dkim", "after", sealed("a")));
  names = store->list("dkim");
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_EQ(names.value(), (Names{"after", "before", "during\0s"s}));
}

TEST_F(EtcdClusterTest, AllMembersDownFailsNamingTheEndpointsThenRecovers) {
  EtcdOptions options = options_for(cluster().endpoints());
  options.call_timeout = 2s;
  auto store = open_etcd_store(options);
  ASSERT_TRUE(store);
  ASSERT_FALSE(store->put("nek", "main", sealed("n")));
  cluster().kill({0, 1, 2});  // a crash: what put() reported stored must survive it

  const auto t0 = std::chrono::steady_clock::now();
  std::optional<Error> e = store->put("nek", "other", sealed("o"));
  const double fail_ms = ms_since(t0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, Errc::resource);
  const std::string joined = etcd_client::join(cluster().endpoints());
  EXPECT_EQ(e->message.rfind("etcd " + joined + ": put failed: ", 0), 0u) << e->message;
  for (const std::string& ep : cluster().endpoints()) {
    EXPECT_NE(e->message.find(ep + ": unavailable"), std::string::npos) << e->message;
  }
  EXPECT_LT(fail_ms, 3 * 2000);  // endpoints × call_timeout at worst; refused: at once
  EXPECT_EQ(store->unhealthy_reason(), e->message);
  EXPECT_FALSE(store->get("nek", "main").ok());
  EXPECT_FALSE(store->list("nek").ok());

  // Two of three back: a quorum again. gRPC reconnects within its 1 s backoff.
  cluster().start({1, 2});
  const auto t1 = std::chrono::steady_clock::now();
  EXPECT_TRUE(eventually([&] { return !store->put("nek", "other", sealed("o")); }, 10s))
      << store->unhealthy_reason();
  std::cout << "[ measure ] all members down: put failed in " << fail_ms
            << " ms; back to working " << ms_since(t1) << " ms after the quorum returned\n";
  EXPECT_EQ(store->unhealthy_reason(), "");
  Result<std::optional<std::string>> kept = store->get("nek", "main");
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  EXPECT_EQ(kept.value(), sealed("n"));
  Result<Names> names = store->list("nek");
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_EQ(names.value(), (Names{"main", "other"}));
}

TEST_F(EtcdClusterTest, AMemberWithoutQuorumFailsCallsAndEndsTheWatch) {
  // Only member 0 may be used; members 1 and 2 go down, so 0 is up but without a leader.
  EtcdOptions options = options_for({cluster().endpoints()[0]});
  options.call_timeout = 2s;
  auto store = open_etcd_store(options);
  ASSERT_TRUE(store);
  ChangeRecorder recorder;
  auto watch = store->watch(recorder.callback());
  ASSERT_EQ(recorder.await_resync(5s), 0);
  cluster().kill({1, 2});
  const auto t0 = std::chrono::steady_clock::now();
  std::optional<Error> e = store->put("dkim", "minority", sealed("m"));
  const double fail_ms = ms_since(t0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, Errc::resource);
  EXPECT_NE(e->message.find("put failed: " + options.endpoints[0] + ": "), std::string::npos)
      << e->message;
  EXPECT_LT(fail_ms, 2000 + 500);
  // "hasleader": etcd ends the stream once the member notices it has no leader (a few
  // election timeouts), rather than leaving the watch silently connected.
  const auto t1 = std::chrono::steady_clock::now();
  EXPECT_TRUE(eventually([&] { return !watch->unhealthy_reason().empty(); }, 15s));
  std::cout << "[ measure ] member without quorum: put failed in " << fail_ms << " ms ("
            << e->message.substr(e->message.find("put failed")) << "); watch ended after "
            << ms_since(t1) << " ms: " << watch->unhealthy_reason() << "\n";
}

TEST_F(EtcdClusterTest, WatchResumesAfterItsMemberRestarts) {
  // The watch may only use member 0; the writer uses the other two.
  const std::vector<std::string>& eps = cluster().endpoints();
  auto watched = open_etcd_store(options_for({eps[0]}));
  auto writer = open_etcd_store(options_for({eps[1], eps[2]}));
  ASSERT_TRUE(watched && writer);
  ChangeRecorder recorder;
  auto watch = watched->watch(recorder.callback());
  ASSERT_EQ(recorder.await_resync(5s), 0);
  ASSERT_FALSE(writer->put("dkim", "one", sealed("1")));
  ASSERT_GE(recorder.await(Type::put, "dkim", "one", 1s), 0);

  cluster().stop({0});
  ASSERT_TRUE(eventually([&] { return !watch->unhealthy_reason().empty(); }, 5s));
  EXPECT_NE(watch->unhealthy_reason().find(eps[0]), std::string::npos)
      << watch->unhealthy_reason();
  ASSERT_FALSE(writer->put("dkim", "while-down", sealed("2")));
  ASSERT_FALSE(writer->remove("dkim", "one"));
  cluster().start({0});
  const auto t0 = std::chrono::steady_clock::now();
  const int put = recorder.await(Type::put, "dkim", "while-down", 10s);
  ASSERT_GT(put, 0);
  std::cout << "[ measure ] watch caught up " << ms_since(t0)
            << " ms after its member was healthy\n";
  EXPECT_GT(recorder.await(Type::removed, "dkim", "one", 1s), put);
  EXPECT_EQ(recorder.count(Type::resync), 1u);  // resumed from the revision, not resynced
  ASSERT_FALSE(writer->put("dkim", "after", sealed("3")));
  EXPECT_GT(recorder.await(Type::put, "dkim", "after", 1s), put);
  EXPECT_EQ(watch->unhealthy_reason(), "");
}

TEST_F(EtcdClusterTest, WatchFailsOverToAnotherMember) {
  auto store = open_etcd_store(options_for(cluster().endpoints()));
  ASSERT_TRUE(store);
  ChangeRecorder recorder;
  auto watch = store->watch(recorder.callback());  // starts on member 0
  ASSERT_EQ(recorder.await_resync(5s), 0);
  cluster().stop({0});
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_FALSE(store->put("secret", "relay", sealed("r")));
  const int put = recorder.await(Type::put, "secret", "relay", 5s);
  ASSERT_GT(put, 0);
  std::cout << "[ measure ] watch on a stopped member: change seen after " << ms_since(t0)
            << " ms (failover)\n";
  EXPECT_EQ(recorder.count(Type::resync), 1u);
}

TEST_F(EtcdClusterTest, WatchResyncsWhenItsRevisionWasCompacted) {
  const std::vector<std::string>& eps = cluster().endpoints();
  auto watched = open_etcd_store(options_for({eps[0]}));
  auto writer = open_etcd_store(options_for({eps[1], eps[2]}));
  ASSERT_TRUE(watched && writer);
  ChangeRecorder recorder;
  auto watch = watched->watch(recorder.callback());
  ASSERT_EQ(recorder.await_resync(5s), 0);

  cluster().stop({0});
  ASSERT_FALSE(writer->put("dkim", "lost", sealed("1")));
  ASSERT_FALSE(writer->put("dkim", "lost2", sealed("2")));
  // Compact the history up to now, so the watch cannot resume from before "lost".
  auto kv = etcdserverpb::KV::NewStub(etcd_client::channel(eps[1], std::nullopt));
  etcdserverpb::RangeRequest range;
  range.set_key("/");
  etcdserverpb::RangeResponse current;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(kv->Range(&context, range, &current).ok());
  }
  etcdserverpb::CompactionRequest compact;
  compact.set_revision(current.header().revision());
  compact.set_physical(true);
  etcdserverpb::CompactionResponse compacted;
  {
    grpc::ClientContext context;
    grpc::Status s = kv->Compact(&context, compact, &compacted);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  cluster().start({0});
  const int resync = recorder.await_resync(10s, 1);
  ASSERT_GT(resync, 0);
  // The watch goes on after the resync.
  ASSERT_FALSE(writer->put("dkim", "later", sealed("3")));
  EXPECT_GT(recorder.await(Type::put, "dkim", "later", 1s), resync);
}

}  // namespace
}  // namespace postern::keystore
