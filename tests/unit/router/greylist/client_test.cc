// The edge's GrpcGreylistClient against two in-process routers' Greylist services (real gRPC
// over 127.0.0.1, real RocksDB stores): defer then pass, rendezvous placement (a triplet always
// lands on the same router, whatever the order of cluster.routers), failover past a router
// that is down, and errors that do not fail over.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <grpcpp/grpcpp.h>

#include "edge/greylist_client.h"
#include "router/greylist/rocksdb_store.h"
#include "router/greylist/service.h"
#include "tests/unit/common/dns/child_process.h"
#include "tests/unit/common/dns/run_awaitable.h"

namespace postern::router::greylist {
namespace {

namespace asio = boost::asio;
using edge::GreylistOutcome;
using edge::GreylistParams;
using edge::GreylistQuery;
using std::chrono::seconds;

struct TestRouter {
  explicit TestRouter(const Clock& clock, const std::string& dir)
      : store(RocksDbStore::open(dir)), greylist(*store, clock), service(greylist) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
  }
  ~TestRouter() {
    server->Shutdown();
    server->Wait();
  }
  config::HostPort address() const { return {"127.0.0.1", static_cast<uint16_t>(port)}; }

  std::unique_ptr<RocksDbStore> store;
  Greylist greylist;
  GreylistService service;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

// A loopback port nothing listens on (bound, then released).
config::HostPort dead_address() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return {"127.0.0.1", acceptor.local_endpoint().port()};
}

GreylistParams params() {
  GreylistParams p;
  p.delay = seconds(60);
  p.retry_window = seconds(3600);
  p.expiry = seconds(86400);
  return p;
}

GreylistQuery query(int n) {
  return {"198.51.100." + std::to_string(n % 250 + 1), "sender" + std::to_string(n) + "@a.test",
          "rcpt@b.test"};
}

class GreylistClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    clock_ = new FakeClock(SysTime(seconds(1'800'000'000)));
    dir_ = new testing::TempDir;
    one_ = new TestRouter(*clock_, dir_->path() + "/one");
    two_ = new TestRouter(*clock_, dir_->path() + "/two");
  }
  static void TearDownTestSuite() {
    delete two_;
    delete one_;
    delete dir_;
    delete clock_;
  }

  GreylistOutcome check(edge::GreylistClient& client, GreylistQuery q,
                        GreylistParams p = params()) {
    return testing::run_awaitable(io_, client.check(std::move(q), p));
  }

  asio::io_context io_;
  static FakeClock* clock_;
  static testing::TempDir* dir_;
  static TestRouter* one_;
  static TestRouter* two_;
};

FakeClock* GreylistClientTest::clock_ = nullptr;
testing::TempDir* GreylistClientTest::dir_ = nullptr;
TestRouter* GreylistClientTest::one_ = nullptr;
TestRouter* GreylistClientTest::two_ = nullptr;

TEST_F(GreylistClientTest, DeferThenPassFromAnotherEdge) {
  edge::GrpcGreylistClient edge_a({one_->address(), two_->address()});
  edge::GrpcGreylistClient edge_b({two_->address(), one_->address()});  // listed the other way
  const GreylistQuery q{"192.0.2.10", "Alice@a.test", "bob@b.test"};
  GreylistOutcome o = check(edge_a, q);
  ASSERT_EQ(o.action, GreylistOutcome::Action::defer) << o.error;
  EXPECT_EQ(o.retry_after, seconds(60));
  clock_->advance(seconds(61));
  // Another edge, another host of the same /24, the sender in other case: the same triplet.
  o = check(edge_b, {"192.0.2.99", "alice@A.TEST", "bob@b.test"});
  EXPECT_EQ(o.action, GreylistOutcome::Action::pass) << o.error;
  EXPECT_FALSE(o.passed_before);
  o = check(edge_a, q);
  EXPECT_EQ(o.action, GreylistOutcome::Action::pass);
  EXPECT_TRUE(o.passed_before);
}

TEST_F(GreylistClientTest, EveryEdgeRanksTheRoutersAlike) {
  edge::GrpcGreylistClient forward({one_->address(), two_->address()});
  edge::GrpcGreylistClient backward({two_->address(), one_->address()});
  int first_is_one = 0;
  for (int n = 0; n < 200; ++n) {
    const auto a = forward.router_order(query(n), params());
    const auto b = backward.router_order(query(n), params());
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0], 1 - b[0]) << n;  // the same router, at mirrored indices
    if (a[0] == 0) ++first_is_one;
  }
  // Rendezvous hashing spreads triplets over the routers.
  EXPECT_GT(first_is_one, 60);
  EXPECT_LT(first_is_one, 140);
  // Hosts of one /64 share the router.
  GreylistQuery v6a{"2001:db8:1:2::1", "s@a", "r@b"};
  GreylistQuery v6b{"2001:db8:1:2:ffff::9", "S@A", "r@b"};
  EXPECT_EQ(forward.router_order(v6a, params()), forward.router_order(v6b, params()));
}

TEST_F(GreylistClientTest, EachTripletIsStoredOnOneRouterOnly) {
  edge::GrpcGreylistClient client({one_->address(), two_->address()});
  const std::size_t before = one_->store->count() + two_->store->count();
  for (int n = 1000; n < 1020; ++n) {
    const auto o = check(client, query(n));
    ASSERT_EQ(o.action, GreylistOutcome::Action::defer) << o.error;
  }
  EXPECT_EQ(one_->store->count() + two_->store->count(), before + 20);
}

TEST_F(GreylistClientTest, FailsOverPastARouterThatIsDown) {
  const config::HostPort dead = dead_address();
  edge::GrpcGreylistClient client({dead, one_->address()});
  int via_failover = 0;
  for (int n = 2000; n < 2020; ++n) {
    if (client.router_order(query(n), params())[0] == 0) ++via_failover;
    const auto o = check(client, query(n));
    EXPECT_EQ(o.action, GreylistOutcome::Action::defer) << o.error;
  }
  EXPECT_GT(via_failover, 0);  // some triplets did rank the dead router first
  edge::GrpcGreylistClient all_dead({dead});
  const auto o = check(all_dead, query(1));
  EXPECT_EQ(o.action, GreylistOutcome::Action::error);
  EXPECT_NE(o.error.find(dead.to_string()), std::string::npos) << o.error;
}

TEST_F(GreylistClientTest, InvalidRequestsAreErrorsWithoutFailover) {
  edge::GrpcGreylistClient client({one_->address(), two_->address()});
  auto o = check(client, {"not-an-ip", "a@b", "c@d"});
  EXPECT_EQ(o.action, GreylistOutcome::Action::error);
  EXPECT_NE(o.error.find("client address is not an IP address"), std::string::npos) << o.error;
  EXPECT_EQ(o.error.find(';'), std::string::npos) << "failed over on INVALID_ARGUMENT: " << o.error;
  GreylistParams bad = params();
  bad.retry_window = bad.delay;
  o = check(client, query(7), bad);
  EXPECT_EQ(o.action, GreylistOutcome::Action::error);
  EXPECT_NE(o.error.find("retry window"), std::string::npos) << o.error;
  o = check(client, {"192.0.2.1", "a@b", std::string(600, 'r')});
  EXPECT_EQ(o.action, GreylistOutcome::Action::error);
  EXPECT_EQ(o.error.find(std::string(20, 'r')), std::string::npos);  // never echoed
}

TEST_F(GreylistClientTest, NoRoutersIsAnError) {
  edge::GrpcGreylistClient client({});
  const auto o = check(client, query(1));
  EXPECT_EQ(o.action, GreylistOutcome::Action::error);
  EXPECT_NE(o.error.find("cluster.routers"), std::string::npos);
}

}  // namespace
}  // namespace postern::router::greylist
