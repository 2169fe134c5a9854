// DMARC evaluation records at the router: carried in the Submit header and stored in the same
// durable batch as the message, stored alone through Router/RecordDmarc for refused messages,
// kept after the message is removed and across a reopen, and refused over the caps.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>

#include "router/intake.h"
#include "router/submit_service.h"
#include "test_support.h"

namespace postern::router {
namespace {

using namespace testing;

std::vector<std::string> dmarc_lines(Queue& queue) {
  std::vector<std::string> out;
  queue.for_each_dmarc([&](std::string_view line) {
    out.emplace_back(line);
    return true;
  });
  return out;
}

const std::string kLine1 = "{\"header_from\":\"a.test\",\"dmarc\":\"pass\"}\n";
const std::string kLine2 = "{\"header_from\":\"b.test\",\"dmarc\":\"fail\"}\n";

class DmarcRecordsTest : public ::testing::Test, protected RouterCoreFixture {
 protected:
  void SetUp() override {
    server = serve_on_loopback(service, port);
    ASSERT_TRUE(server);
    stub = postern::v1::Router::NewStub(loopback_channel(port));
  }
  void TearDown() override { server->Shutdown(); }

  grpc::Status submit(const std::vector<std::string>& evaluations, const std::string& rcpt,
                      postern::v1::SubmitReply* reply) {
    const std::string body = "Subject: hi\r\n\r\nhello\r\n";
    postern::v1::SubmitChunk header;
    auto* h = header.mutable_header();
    h->mutable_envelope()->set_mail_from("alice@sender.test");
    h->mutable_envelope()->add_recipients()->set_address(rcpt);
    h->set_size(body.size());
    for (const auto& e : evaluations) h->add_dmarc_evaluations(e);
    postern::v1::SubmitChunk data;
    data.set_data(body);
    grpc::ClientContext context;
    auto writer = stub->Submit(&context, reply);
    if (writer->Write(header)) writer->Write(data);
    writer->WritesDone();
    return writer->Finish();
  }

  grpc::Status record(const std::vector<std::string>& evaluations) {
    postern::v1::RecordDmarcRequest request;
    for (const auto& e : evaluations) request.add_evaluations(e);
    postern::v1::RecordDmarcReply reply;
    grpc::ClientContext context;
    return stub->RecordDmarc(&context, request, &reply);
  }

  Intake intake{config, *queue, ids, clock, counters, [](const std::string&) {}};
  SubmitService service{intake, config, counters};
  int port = 0;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<postern::v1::Router::Stub> stub;
};

TEST_F(DmarcRecordsTest, SubmitStoresRecordsWithTheMessageAndKeepsThemAfterRemoval) {
  postern::v1::SubmitReply reply;
  ASSERT_TRUE(submit({kLine1}, "bob@remote.test", &reply).ok());
  EXPECT_EQ(dmarc_lines(*queue), std::vector<std::string>{kLine1});
  ASSERT_TRUE(queue->load(reply.queue_id()).has_value());
  // Delivered and removed: the record stays for the aggregate report.
  ASSERT_TRUE(queue->remove(reply.queue_id()).ok());
  EXPECT_FALSE(queue->load(reply.queue_id()).has_value());
  EXPECT_EQ(dmarc_lines(*queue), std::vector<std::string>{kLine1});
}

TEST_F(DmarcRecordsTest, SubmitWithoutRecordsStoresNone) {
  postern::v1::SubmitReply reply;
  ASSERT_TRUE(submit({}, "bob@remote.test", &reply).ok());
  EXPECT_TRUE(dmarc_lines(*queue).empty());
}

TEST_F(DmarcRecordsTest, UnroutableMessageStillKeepsItsRecordWithTheDsn) {
  postern::v1::SubmitReply reply;
  ASSERT_TRUE(submit({kLine2}, "nobody@unroutable.test", &reply).ok());
  EXPECT_EQ(dmarc_lines(*queue), std::vector<std::string>{kLine2});
}

TEST_F(DmarcRecordsTest, RecordDmarcStoresRecordsOfRefusedMessagesInOrder) {
  ASSERT_TRUE(record({kLine1}).ok());
  ASSERT_TRUE(record({kLine2, kLine1}).ok());
  EXPECT_EQ(dmarc_lines(*queue), (std::vector<std::string>{kLine1, kLine2, kLine1}));
  EXPECT_TRUE(all_records(*queue).empty()) << "no message is queued by RecordDmarc";
}

TEST_F(DmarcRecordsTest, CapsAreEnforced) {
  EXPECT_EQ(record({"two\nlines\n"}).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(record({""}).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(record({std::string(kMaxDmarcEvaluationBytes + 1, 'x')}).error_code(),
            grpc::INVALID_ARGUMENT);
  EXPECT_EQ(record(std::vector<std::string>(kMaxDmarcEvaluations + 1, kLine1)).error_code(),
            grpc::INVALID_ARGUMENT);
  postern::v1::SubmitReply reply;
  EXPECT_EQ(submit({"a\r\nb\n"}, "bob@remote.test", &reply).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_TRUE(dmarc_lines(*queue).empty());
  EXPECT_TRUE(all_records(*queue).empty());
}

TEST(DmarcRecordsQueue, SurviveReopenAndContinueTheSequence) {
  TempDir dir;
  {
    auto queue = RocksDbQueue::open(dir.str());
    std::promise<QueueStatus> done;
    queue->record_dmarc({kLine1}, [&](QueueStatus s) { done.set_value(s); });
    ASSERT_TRUE(done.get_future().get().ok());
  }
  auto queue = RocksDbQueue::open(dir.str());
  std::promise<QueueStatus> done;
  queue->record_dmarc({kLine2}, [&](QueueStatus s) { done.set_value(s); });
  ASSERT_TRUE(done.get_future().get().ok());
  EXPECT_EQ(dmarc_lines(*queue), (std::vector<std::string>{kLine1, kLine2}));
}

}  // namespace
}  // namespace postern::router
