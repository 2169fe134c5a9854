// MaildirDeliverer in a temp dir: durable files in new/, per-recipient outcomes.
#include "router/delivery/maildir_deliverer.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/common/dns/child_process.h"
#include "tests/unit/common/dns/run_awaitable.h"

namespace postern::router::delivery {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  return out;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

DeliveryJob job(std::vector<std::string> recipients) {
  DeliveryJob j;
  j.queue_id = "Q1";
  j.mail_from = "sender@example.test";
  j.recipients = std::move(recipients);
  j.domain = "example.test";
  j.message = std::make_shared<const std::string>("Subject: hi\r\n\r\n.dot line\r\nbody\r\n");
  return j;
}

TEST(MaildirDeliverer, DeliversOneCopyPerRecipient) {
  testing::TempDir dir;
  boost::asio::io_context io;
  MaildirDeliverer deliverer(dir.path() + "/maildir", "mx.example.test");
  auto outcomes = testing::run_awaitable(
      io, deliverer.deliver(job({"Alice@Example.TEST", "bob@example.test", "../evil"})));
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::delivered);
  EXPECT_EQ(outcomes[1].kind, Outcome::Kind::delivered);
  EXPECT_EQ(outcomes[2].kind, Outcome::Kind::permanent);
  EXPECT_EQ(outcomes[2].reply.status(), (smtp::EnhancedStatus{5, 1, 3}));

  const fs::path alice = fs::path(dir.path()) / "maildir" / "alice@example.test";
  for (const char* sub : {"tmp", "new", "cur"}) EXPECT_TRUE(fs::is_directory(alice / sub)) << sub;
  EXPECT_TRUE(files_in(alice / "tmp").empty());
  const auto delivered = files_in(alice / "new");
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(outcomes[0].remote, delivered[0].string());
  EXPECT_EQ(read(delivered[0]),
            "Return-Path: <sender@example.test>\nDelivered-To: Alice@Example.TEST\n"
            "Subject: hi\n\n.dot line\nbody\n");
  EXPECT_EQ(files_in(fs::path(dir.path()) / "maildir" / "bob@example.test" / "new").size(), 1u);
  EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "evil"));
}

TEST(MaildirDeliverer, SecondMessageGetsAUniqueName) {
  testing::TempDir dir;
  boost::asio::io_context io;
  MaildirDeliverer deliverer(dir.path(), "h");
  testing::run_awaitable(io, deliverer.deliver(job({"a@x.test"})));
  testing::run_awaitable(io, deliverer.deliver(job({"a@x.test"})));
  EXPECT_EQ(files_in(fs::path(dir.path()) / "a@x.test" / "new").size(), 2u);
}

TEST(MaildirDeliverer, UnwritableRootIsTemporary) {
  testing::TempDir dir;
  const std::string blocker = dir.write("blocker", "a file where a directory should be");
  boost::asio::io_context io;
  MaildirDeliverer deliverer(blocker, "h");
  auto outcomes = testing::run_awaitable(io, deliverer.deliver(job({"a@x.test"})));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::temporary);
  EXPECT_EQ(outcomes[0].reply.status(), (smtp::EnhancedStatus{4, 3, 0}));
}

TEST(MakeDeliverer, MaildirPathIsRelativeToDataDir) {
  testing::TempDir dir;
  config::Config cfg;
  cfg.node.data_dir = dir.path();
  cfg.internet.hostname = "mx.example.test";
  config::Destination dest;
  dest.name = "demo";
  dest.kind = config::MaildirDestination{"maildir"};
  boost::asio::io_context io;
  DeliveryContext ctx{io.get_executor(), nullptr, &cfg};
  auto deliverer = make_deliverer(dest, ctx);
  ASSERT_TRUE(deliverer);
  auto outcomes = testing::run_awaitable(io, deliverer->deliver(job({"u@example.test"})));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::delivered);
  EXPECT_EQ(files_in(fs::path(dir.path()) / "maildir" / "u@example.test" / "new").size(), 1u);
}

}  // namespace
}  // namespace postern::router::delivery
