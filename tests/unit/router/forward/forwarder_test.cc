// The forwarding client against a real gateway service over loopback gRPC (SubmitService
// with Forward enabled, a real RocksDB queue): stored with signatures and without the body's
// prepended fields, failover past a dead gateway, all gateways down -> temporary with every
// reason, the cluster token required, a repeated Forward answered with the same id, and the
// hop guard.
#include "router/forward/forwarder.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../test_support.h"
#include "router/forward/forward_intake.h"
#include "router/submit_service.h"

namespace postern::router::forward {
namespace {

using namespace postern::router::testing;
namespace asio = boost::asio;

const std::string kToken = std::string(40, 'k');
const std::string kSig = "DKIM-Signature: v=1; d=sender.test; s=s1; b=AAAA\r\n";
const std::string kBody = "From: alice@sender.test\r\nSubject: hi\r\n\r\nbody\r\n";

// A port nothing listens on: bound by a socket that is then closed.
int dead_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return 1;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

class ForwarderTest : public ::testing::Test, protected RouterCoreFixture {
 protected:
  void SetUp() override {
    config.node.name = "demeter";
    config.router.destinations["remote"].served_by = {"demeter"};
    service.enable_forward(intake, callers);
    server = serve_on_loopback(service, port);
    ASSERT_TRUE(server);
    dead = dead_port();

    origin = test_config();
    origin.node.name = "athena";
    origin.cluster.nodes["demeter"] = {"127.0.0.1", static_cast<uint16_t>(port)};
    origin.cluster.nodes["hera"] = {"127.0.0.1", static_cast<uint16_t>(dead)};
  }
  void TearDown() override { server->Shutdown(); }

  // The origin's record for a message signed by the scheduler, and its job.
  void make_job(const std::string& id) {
    NewMessage m = make_message(id, "alice@sender.test", {"bob@remote.test", "carol@remote.test"},
                                kBody);
    record = m.meta;
    record.set_signing_state(postern::v1::queue::SIGNING_STATE_SIGNED);
    record.set_dkim_signatures(kSig);
    job.queue_id = id;
    job.mail_from = "alice@sender.test";
    job.recipients = {"bob@remote.test", "carol@remote.test"};
    job.destination = &origin.router.destinations.at("remote");
    job.message = std::make_shared<const std::string>(kSig + kBody);
    job.record = &record;
  }

  std::vector<Outcome> deliver(std::vector<std::string> served_by, const std::string& token = kToken) {
    origin.router.destinations["remote"].served_by = std::move(served_by);
    ForwardDeliverer deliverer(origin, origin.router.destinations.at("remote"), token,
                               origin_counters, std::chrono::seconds(5));
    asio::io_context io;
    std::optional<std::vector<Outcome>> out;
    asio::co_spawn(io, deliverer.deliver(job),
                   [&](std::exception_ptr e, std::vector<Outcome> r) {
                     if (!e) out = std::move(r);
                   });
    io.run();
    return out.value_or(std::vector<Outcome>{});
  }

  Intake plain_intake{config, *queue, ids, clock, counters, [](const std::string&) {}};
  ForwardIntake intake{config, *queue, ids, clock, counters, [](const std::string&) {}};
  auth::CallAuthorizer callers{"router", "Router.Forward", auth::CallerRule{kToken, {}, {}}};
  SubmitService service{plain_intake, config, counters};
  int port = 0;
  int dead = 0;
  std::unique_ptr<grpc::Server> server;
  config::Config origin;
  Counters origin_counters;
  MessageRecord record;
  DeliveryJob job;
};

TEST_F(ForwarderTest, ForwardsToTheGatewayWhichStoresItDurablyWithTheSignatures) {
  make_job("0origin1");
  const auto out = deliver({"demeter"});
  ASSERT_EQ(out.size(), 2u);
  for (const Outcome& o : out) {
    EXPECT_EQ(o.kind, Outcome::Kind::delivered) << o.reply.to_string();
    EXPECT_EQ(o.remote, "demeter (127.0.0.1:" + std::to_string(port) + ")");
  }
  const auto records = all_records(*queue);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NE(out[0].reply.to_string().find("forwarded to demeter as " + records[0].queue_id()),
            std::string::npos)
      << out[0].reply.to_string();
  EXPECT_EQ(records[0].dkim_signatures(), kSig);
  EXPECT_EQ(records[0].recipients_size(), 2);
  EXPECT_EQ(*queue->load_body(records[0].queue_id()), kBody);  // fields not in the body twice
  EXPECT_EQ(origin_counters.forwarded_out.load(), 1u);

  // The ack was "lost": the origin forwards again and gets the same id, no second copy.
  const auto again = deliver({"demeter"});
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].kind, Outcome::Kind::delivered);
  EXPECT_EQ(again[0].reply.to_string(), out[0].reply.to_string());
  EXPECT_EQ(all_records(*queue).size(), 1u);
  EXPECT_EQ(counters.forward_duplicates.load(), 1u);
}

TEST_F(ForwarderTest, FailsOverPastADeadGateway) {
  make_job("0origin2");
  const auto out = deliver({"hera", "demeter"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, Outcome::Kind::delivered) << out[0].reply.to_string();
  EXPECT_EQ(all_records(*queue).size(), 1u);
  EXPECT_EQ(origin_counters.forward_failures.load(), 1u);
}

TEST_F(ForwarderTest, AllGatewaysDownIsTemporaryWithEveryReason) {
  make_job("0origin3");
  const auto out = deliver({"hera"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, Outcome::Kind::temporary);
  const std::string reply = out[0].reply.to_string();
  EXPECT_NE(reply.find("451 4.4.1 forward to hera (127.0.0.1:" + std::to_string(dead) +
                       "): unavailable"),
            std::string::npos)
      << reply;
  EXPECT_TRUE(all_records(*queue).empty());
}

TEST_F(ForwarderTest, WithoutTheClusterTokenTheGatewayRefuses) {
  make_job("0origin4");
  const auto out = deliver({"demeter"}, std::string(40, 'x'));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, Outcome::Kind::temporary);
  EXPECT_NE(out[0].reply.to_string().find("refused the cluster token"), std::string::npos)
      << out[0].reply.to_string();
  EXPECT_TRUE(all_records(*queue).empty());
  EXPECT_EQ(counters.forward_refused.load(), 1u);
}

TEST_F(ForwarderTest, AGatewayNotServingTheDestinationRefuses) {
  config.router.destinations["remote"].served_by = {"zeus"};  // gateway misconfigured
  make_job("0origin5");
  const auto out = deliver({"demeter"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, Outcome::Kind::temporary);
  EXPECT_NE(out[0].reply.to_string().find("does not serve destination remote"), std::string::npos)
      << out[0].reply.to_string();
  EXPECT_TRUE(all_records(*queue).empty());
}

TEST_F(ForwarderTest, AForwardedMessageIsNeverForwardedAgain) {
  make_job("0origin6");
  record.mutable_forwarded_from()->set_node("hermes");
  record.mutable_forwarded_from()->set_queue_id("0x");
  const auto out = deliver({"demeter"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, Outcome::Kind::temporary);
  EXPECT_NE(out[0].reply.to_string().find("not forwarding again"), std::string::npos);
  EXPECT_TRUE(all_records(*queue).empty());
}

}  // namespace
}  // namespace postern::router::forward
