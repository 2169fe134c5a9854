// The scheduler's signing step (router/scheduler.h, router/signing/message_signer.h) against
// a real RocksDB queue, a fake clock, a fake deliverer and a fake KeystoreClient that signs
// with keys generated here (this tests one layer; the integration tests use the keystore).
// Every signature a deliverer sees is checked with the project's verifier.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <map>

#include "common/mailauth/dkim/verify.h"
#include "router/scheduler.h"
#include "router/signing/message_signer.h"
#include "tests/unit/common/mailauth/dkim/test_keys.h"
#include "tests/unit/router/test_support.h"

namespace postern::router {
namespace {

using namespace testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace dkim = mailauth::dkim;
using postern::v1::queue::RECIPIENT_STATUS_FAILED;
using postern::v1::queue::RECIPIENT_STATUS_PENDING;
using postern::v1::queue::SIGNING_STATE_NOT_SIGNED;
using postern::v1::queue::SIGNING_STATE_SIGNED;

Outcome delivered() {
  return Outcome{Outcome::Kind::delivered, smtp::Reply(250, {2, 0, 0}, "Ok"), "mx[127.0.0.1]:25"};
}
Outcome temporary() {
  return Outcome{Outcome::Kind::temporary, smtp::Reply(451, {4, 4, 1}, "Try later"),
                 "mx[127.0.0.1]:25"};
}

// Signs like the keystore: one signature per digest, the key's own algorithm.
class FakeKeystore : public signing::KeystoreClient {
 public:
  std::map<std::pair<std::string, std::string>, const dkim::testing::PrivateKey*> keys;
  bool down = false;
  int sign_calls = 0;
  std::vector<std::size_t> batch_sizes;

  asio::awaitable<signing::SignResult> sign(std::vector<signing::DigestToSign> digests) override {
    ++sign_calls;
    batch_sizes.push_back(digests.size());
    signing::SignResult r;
    if (down) {
      r.error = "keystore 127.0.0.1:7002 unavailable";
      co_return r;
    }
    for (const auto& d : digests) {
      auto it = keys.find({d.domain, d.selector});
      if (it == keys.end()) {
        r.error = "keystore: NOT_FOUND no key " + d.domain + "/" + d.selector;
        r.signatures.clear();
        co_return r;
      }
      const auto* key = it->second;
      r.signatures.push_back({key->type == dkim::KeyType::ed25519 ? "ed25519-sha256" : "rsa-sha256",
                              dkim::testing::sign_digest(*key, d.digest)});
    }
    r.ok = true;
    co_return r;
  }
  asio::awaitable<signing::SecretResult> get_secret(std::string) override {
    co_return signing::SecretResult{};
  }
};

class SigningSchedulerTest : public ::testing::Test, protected RouterCoreFixture {
 protected:
  class FakeDeliverer : public Deliverer {
   public:
    explicit FakeDeliverer(SigningSchedulerTest& test) : test_(test) {}
    asio::awaitable<std::vector<Outcome>> deliver(const DeliveryJob& job) override {
      test_.delivered_messages.push_back(*job.message);
      co_return std::vector<Outcome>(job.recipients.size(), test_.next_outcome);
    }

   private:
    SigningSchedulerTest& test_;
  };

  static void SetUpTestSuite() {
    rsa_ = new dkim::testing::PrivateKey(dkim::testing::generate_rsa(2048));
    ed_ = new dkim::testing::PrivateKey(dkim::testing::generate_ed25519());
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ed_;
  }

  void SetUp() override {
    config.router.dkim.signing = true;
    config.router.dkim.keys = {{"sender.test", {"rsa", "ed"}}, {"mx.postern.test", {"ed"}}};
    keystore.keys = {{{"sender.test", "rsa"}, rsa_},
                     {{"sender.test", "ed"}, ed_},
                     {{"mx.postern.test", "ed"}, ed_}};
  }

  void make_scheduler() {
    scheduler.reset();
    signer = std::make_unique<signing::MessageSigner>(config.router.dkim, keystore);
    scheduler = std::make_unique<Scheduler>(
        io.get_executor(), config, *queue, ids, clock, counters,
        [this](const config::Destination&) { return std::make_unique<FakeDeliverer>(*this); },
        signer.get());
    scheduler->recover();
    scheduler->start();
    run();
  }

  void run() {
    io.restart();
    io.poll();
  }

  void advance(std::chrono::milliseconds by) {
    clock.advance(by);
    scheduler->wake();
    run();
  }

  std::string submit(const std::string& from_header, bool authenticated = true,
                     const std::string& envelope_from = "alice@sender.test") {
    NewMessage m = make_message(ids.next(), envelope_from, {"bob@remote.test"},
                                "From: " + from_header +
                                    "\r\nTo: bob@remote.test\r\nSubject: test\r\n"
                                    "Message-ID: <t1@sender.test>\r\n\r\nHello\r\n",
                                to_unix_ms(clock.now()));
    if (authenticated) m.meta.mutable_client()->set_auth_user("alice");
    const std::string id = m.meta.queue_id();
    EXPECT_TRUE(enqueue_sync(*queue, one(std::move(m))).ok());
    scheduler->enqueued(id);
    run();
    return id;
  }

  // The verifier's results for every DKIM-Signature of `message` (keys by selector).
  std::vector<dkim::SignatureResult> verify(const std::string& message) {
    dkim::VerifyOptions options;
    const auto prepared = dkim::prepare(message, to_unix_ms(clock.now()) / 1000, options);
    std::vector<dkim::SignatureResult> out;
    for (const auto& p : prepared.signatures) {
      dns::Answer<std::string> key;
      key.status = dns::Status::ok;
      key.records = {dkim::testing::key_record(p.result.selector == "rsa" ? *rsa_ : *ed_)};
      out.push_back(dkim::conclude(p, key, options));
    }
    return out;
  }

  static dkim::testing::PrivateKey* rsa_;
  static dkim::testing::PrivateKey* ed_;
  FakeKeystore keystore;
  asio::io_context io;
  Outcome next_outcome = delivered();
  std::vector<std::string> delivered_messages;
  std::unique_ptr<signing::MessageSigner> signer;
  std::unique_ptr<Scheduler> scheduler;
};
dkim::testing::PrivateKey* SigningSchedulerTest::rsa_ = nullptr;
dkim::testing::PrivateKey* SigningSchedulerTest::ed_ = nullptr;

TEST_F(SigningSchedulerTest, SignedOnceWithEverySelectorAndBothVerify) {
  make_scheduler();
  submit("Alice <alice@sender.test>");
  ASSERT_EQ(delivered_messages.size(), 1u);
  const std::string& m = delivered_messages[0];
  EXPECT_EQ(m.rfind("DKIM-Signature: ", 0), 0u);
  const auto results = verify(m);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].selector, "rsa");  // selector order as configured
  EXPECT_EQ(results[1].selector, "ed");
  EXPECT_EQ(results[1].algorithm, "ed25519-sha256");
  for (const auto& r : results) EXPECT_EQ(r.result, dkim::Result::pass) << r.reason;
  EXPECT_EQ(counters.dkim_signed.load(), 1u);
  EXPECT_TRUE(all_records(*queue).empty());
}

TEST_F(SigningSchedulerTest, RetriesReuseTheStoredSignatureWithoutResigning) {
  next_outcome = temporary();
  make_scheduler();
  const std::string id = submit("alice@sender.test");
  ASSERT_EQ(delivered_messages.size(), 1u);
  const int calls = keystore.sign_calls;  // 2: "ed" was first guessed rsa-sha256
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(keystore.batch_sizes, (std::vector<std::size_t>{2, 1}));
  auto record = queue->load(id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->signing_state(), SIGNING_STATE_SIGNED);
  EXPECT_EQ(delivered_messages[0].substr(0, record->dkim_signatures().size()),
            record->dkim_signatures());

  advance(5min);
  next_outcome = delivered();
  advance(10min);
  ASSERT_EQ(delivered_messages.size(), 3u);
  EXPECT_EQ(keystore.sign_calls, calls);  // never signed again
  EXPECT_EQ(delivered_messages[1], delivered_messages[0]);
  EXPECT_EQ(delivered_messages[2], delivered_messages[0]);
  EXPECT_FALSE(queue->load(id));

  // A second message: the algorithms are known now, one call for both selectors.
  submit("alice@sender.test");
  EXPECT_EQ(keystore.sign_calls, calls + 1);
  for (const auto& r : verify(delivered_messages.back())) {
    EXPECT_EQ(r.result, dkim::Result::pass) << r.reason;
  }
}

TEST_F(SigningSchedulerTest, KeystoreFailureWaitsWithTheReasonAndIsNeverDeliveredUnsigned) {
  keystore.down = true;
  make_scheduler();
  const SysTime t0 = clock.now();
  const std::string id = submit("alice@sender.test");
  EXPECT_TRUE(delivered_messages.empty());
  auto record = queue->load(id);
  ASSERT_TRUE(record);
  const RecipientRecord& r = record->recipients(0);
  EXPECT_EQ(r.status(), RECIPIENT_STATUS_PENDING);
  EXPECT_EQ(r.attempts(), 0u);  // not a delivery attempt
  EXPECT_EQ(r.last_reply(), "waiting for DKIM signature: keystore 127.0.0.1:7002 unavailable");
  EXPECT_EQ(r.next_attempt_unix_ms(), to_unix_ms(t0 + 30s));
  EXPECT_EQ(record->signing_failures(), 1u);
  EXPECT_EQ(scheduler->due_time(id), t0 + 30s);

  advance(29s);
  EXPECT_EQ(keystore.sign_calls, 1);
  advance(1s);  // second try: still down, the wait doubles
  EXPECT_EQ(keystore.sign_calls, 2);
  EXPECT_EQ(queue->load(id)->recipients(0).next_attempt_unix_ms(), to_unix_ms(t0 + 30s + 60s));
  advance(60s);
  EXPECT_EQ(keystore.sign_calls, 3);
  EXPECT_EQ(queue->load(id)->recipients(0).next_attempt_unix_ms(),
            to_unix_ms(t0 + 90s + 120s));
  EXPECT_TRUE(delivered_messages.empty());
  EXPECT_EQ(counters.dkim_waits.load(), 3u);

  keystore.down = false;
  advance(120s);
  ASSERT_EQ(delivered_messages.size(), 1u);
  for (const auto& res : verify(delivered_messages[0])) {
    EXPECT_EQ(res.result, dkim::Result::pass) << res.reason;
  }
  EXPECT_FALSE(queue->load(id));
}

TEST_F(SigningSchedulerTest, WaitingNeverExceedsFiveMinutesAndExpiresAtMaxAge) {
  keystore.down = true;
  config.router.retry.max_age = 1h;
  make_scheduler();
  const std::string id = submit("alice@sender.test");
  for (int i = 0; i < 8; ++i) advance(5min);
  auto record = queue->load(id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->recipients(0).next_attempt_unix_ms() - to_unix_ms(clock.now()),
            std::chrono::milliseconds(5min).count());
  clock.advance(1h);
  scheduler->wake();
  run();
  EXPECT_FALSE(queue->load(id));  // expired: failed with a DSN
  const auto left = all_records(*queue);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_TRUE(left[0].is_dsn());
  EXPECT_EQ(counters.expired.load(), 1u);
  EXPECT_TRUE(delivered_messages.empty());  // the original never left unsigned
}

TEST_F(SigningSchedulerTest, ExternalMailAndOtherDomainsAreNotSigned) {
  make_scheduler();
  submit("alice@sender.test", /*authenticated=*/false);
  submit("someone@elsewhere.test");
  ASSERT_EQ(delivered_messages.size(), 2u);
  for (const auto& m : delivered_messages) EXPECT_EQ(m.find("DKIM-Signature"), std::string::npos);
  EXPECT_EQ(keystore.sign_calls, 0);
}

TEST_F(SigningSchedulerTest, NotSignedDecisionIsStored) {
  next_outcome = temporary();
  make_scheduler();
  const std::string id = submit("a@sender.test, b@sender.test");
  auto record = queue->load(id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->signing_state(), SIGNING_STATE_NOT_SIGNED);
  EXPECT_NE(record->signing_note().find("multiple addresses"), std::string::npos)
      << record->signing_note();
  ASSERT_EQ(delivered_messages.size(), 1u);
  EXPECT_EQ(delivered_messages[0].find("DKIM-Signature"), std::string::npos);
}

TEST_F(SigningSchedulerTest, DsnFromTheRouterIsSigned) {
  next_outcome = Outcome{Outcome::Kind::permanent, smtp::Reply(550, {5, 1, 1}, "No such user"),
                         "mx[127.0.0.1]:25"};
  make_scheduler();
  submit("alice@sender.test");
  ASSERT_EQ(delivered_messages.size(), 2u);  // the original, then the DSN to alice
  const std::string& dsn = delivered_messages[1];
  EXPECT_NE(dsn.find("<MAILER-DAEMON@mx.postern.test>"), std::string::npos);
  const auto results = verify(dsn);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].domain, "mx.postern.test");
  EXPECT_EQ(results[0].result, dkim::Result::pass) << results[0].reason;
}

TEST_F(SigningSchedulerTest, SignatureSurvivesReopeningTheQueue) {
  next_outcome = temporary();
  make_scheduler();
  const std::string id = submit("alice@sender.test");
  ASSERT_EQ(delivered_messages.size(), 1u);
  const int calls = keystore.sign_calls;
  const std::string first = delivered_messages[0];

  // A restart: the scheduler and the RocksDB queue are closed and opened again; the new
  // process's signer knows nothing.
  scheduler.reset();
  queue.reset();
  queue = RocksDbQueue::open(dir.str());
  next_outcome = delivered();
  make_scheduler();
  EXPECT_EQ(delivered_messages.size(), 1u);
  advance(5min);  // the retry after the first attempt's 451
  ASSERT_EQ(delivered_messages.size(), 2u);
  EXPECT_EQ(delivered_messages[1], first);
  EXPECT_EQ(keystore.sign_calls, calls);
  EXPECT_FALSE(queue->load(id));
}

}  // namespace
}  // namespace postern::router
