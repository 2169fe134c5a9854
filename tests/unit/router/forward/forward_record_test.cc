// Queue record <-> Forward header: pending recipients only, signatures carried (never
// re-signed), the original arrival time, the header checks, the idempotency key, and the
// gateway's routing refusal (hop limit 1).
#include "router/forward/forward_record.h"

#include <gtest/gtest.h>

#include "../test_support.h"

namespace postern::router::forward {
namespace {

using namespace postern::router::testing;
using postern::v1::queue::RECIPIENT_STATUS_DELIVERED;
using postern::v1::queue::RECIPIENT_STATUS_FAILED;
using postern::v1::queue::SIGNING_STATE_SIGNED;

const std::string kSig = "DKIM-Signature: v=1; a=ed25519-sha256; d=sender.test; s=s1;\r\n"
                         "\tb=AAAA\r\n";

MessageRecord signed_record() {
  NewMessage m = make_message("0abc", "alice@sender.test",
                              {"done@remote.test", "bob@remote.test", "gone@remote.test",
                               "carol@x.sub.test"},
                              "Subject: hi\r\n\r\nbody\r\n", kTestEpochMs - 3600 * 1000);
  MessageRecord r = m.meta;
  r.mutable_recipients(0)->set_status(RECIPIENT_STATUS_DELIVERED);
  r.mutable_recipients(2)->set_status(RECIPIENT_STATUS_FAILED);
  r.mutable_recipients(1)->set_attempts(2);
  r.mutable_recipients(1)->set_last_reply("451 4.4.1 forward to demeter: unavailable");
  r.mutable_envelope()->set_envid("ENV-1");
  r.mutable_client()->set_auth_user("alice");
  r.set_signing_state(SIGNING_STATE_SIGNED);
  r.set_dkim_signatures(kSig);
  return r;
}

config::Config gateway_config() {
  config::Config c = test_config();
  c.node.name = "demeter";
  c.router.destinations["remote"].served_by = {"demeter"};
  return c;
}

TEST(ForwardRecord, HeaderCarriesOnlyTheJobsPendingRecipientsAndTheSignatures) {
  const MessageRecord r = signed_record();
  const auto h = make_forward_header(r, {"bob@remote.test", "carol@x.sub.test"}, "athena", 21);
  EXPECT_EQ(h.origin_node(), "athena");
  EXPECT_EQ(h.origin_queue_id(), "0abc");
  ASSERT_EQ(h.recipients_size(), 2);
  EXPECT_EQ(h.recipients(0).address(), "bob@remote.test");
  EXPECT_EQ(h.recipients(0).attempts(), 2u);
  EXPECT_EQ(h.recipients(0).destination(), "remote");
  EXPECT_EQ(h.recipients(1).address(), "carol@x.sub.test");
  EXPECT_EQ(h.envelope().recipients_size(), 0);
  EXPECT_EQ(h.envelope().envid(), "ENV-1");
  EXPECT_EQ(h.client().auth_user(), "alice");
  EXPECT_EQ(h.received_unix_ms(), kTestEpochMs - 3600 * 1000);
  EXPECT_EQ(h.signing_state(), postern::v1::FORWARD_SIGNING_SIGNED);
  EXPECT_EQ(h.dkim_signatures(), kSig);
  EXPECT_EQ(h.size(), 21u);
  EXPECT_EQ(h.hops(), 1u);
}

TEST(ForwardRecord, BodyIsSentWithoutThePrependedSignatures) {
  const MessageRecord r = signed_record();
  const std::string body = "Subject: hi\r\n\r\nbody\r\n";
  EXPECT_EQ(body_to_forward(r, kSig + body), body);
  MessageRecord unsigned_record = r;
  unsigned_record.clear_signing_state();
  unsigned_record.clear_dkim_signatures();
  EXPECT_EQ(body_to_forward(unsigned_record, body), body);
}

TEST(ForwardRecord, GatewayRecordKeepsArrivalSignaturesAndOrigin) {
  const config::Config c = gateway_config();
  const auto h = make_forward_header(signed_record(), {"bob@remote.test"}, "athena", 21);
  ASSERT_EQ(validate_forward_header(h, c), "");
  const SysTime now = from_unix_ms(kTestEpochMs);
  GatewayRecord g = gateway_record(h, c, "0new", now);
  ASSERT_EQ(g.refusal, "");
  EXPECT_EQ(g.meta.queue_id(), "0new");
  EXPECT_EQ(g.meta.received_unix_ms(), kTestEpochMs - 3600 * 1000);  // max_age from arrival
  EXPECT_EQ(g.meta.signing_state(), SIGNING_STATE_SIGNED);           // never signed again
  EXPECT_EQ(g.meta.dkim_signatures(), kSig);
  EXPECT_EQ(g.meta.forwarded_from().node(), "athena");
  EXPECT_EQ(g.meta.forwarded_from().queue_id(), "0abc");
  EXPECT_EQ(g.meta.forwarded_from().origin_attempts(), 2u);
  ASSERT_EQ(g.meta.recipients_size(), 1);
  EXPECT_EQ(g.meta.recipients(0).destination(), "remote");
  EXPECT_EQ(g.meta.recipients(0).domain(), "remote.test");
  EXPECT_EQ(g.meta.recipients(0).attempts(), 0u);  // the gateway's own schedule starts fresh
  EXPECT_EQ(g.meta.envelope().envid(), "ENV-1");
}

TEST(ForwardRecord, AGatewayThatWouldForwardAgainRefuses) {
  config::Config c = gateway_config();
  c.router.destinations["remote"].served_by = {"hera"};
  c.cluster.nodes["hera"] = {"127.0.0.1", 7102};
  const auto h = make_forward_header(signed_record(), {"bob@remote.test"}, "athena", 21);
  GatewayRecord g = gateway_record(h, c, "0new", from_unix_ms(kTestEpochMs));
  EXPECT_NE(g.refusal.find("does not serve destination remote"), std::string::npos) << g.refusal;
}

TEST(ForwardRecord, UnknownDestinationIsRoutedHereOrRefused) {
  const config::Config c = gateway_config();
  auto h = make_forward_header(signed_record(), {"bob@remote.test"}, "athena", 21);
  h.mutable_recipients(0)->set_destination("their-name");
  EXPECT_EQ(gateway_record(h, c, "0new", from_unix_ms(kTestEpochMs)).meta.recipients(0).destination(),
            "remote");
  h.mutable_recipients(0)->set_address("x@nowhere.test");
  EXPECT_NE(gateway_record(h, c, "0new", from_unix_ms(kTestEpochMs)).refusal.find("no route"),
            std::string::npos);
}

TEST(ForwardRecord, HeaderChecks) {
  const config::Config c = gateway_config();
  const auto good = make_forward_header(signed_record(), {"bob@remote.test"}, "athena", 21);
  auto bad = [&](auto mutate) {
    auto h = good;
    mutate(h);
    return validate_forward_header(h, c);
  };
  EXPECT_EQ(bad([](auto& h) { h.set_origin_node(""); }), "invalid origin node");
  EXPECT_EQ(bad([](auto& h) { h.set_origin_node("demeter"); }), "a router cannot forward to itself");
  EXPECT_NE(bad([](auto& h) { h.set_hops(2); }).find("hop limit"), std::string::npos);
  EXPECT_EQ(bad([](auto& h) { h.clear_recipients(); }), "no recipients");
  EXPECT_EQ(bad([](auto& h) { h.mutable_recipients(0)->set_address("a\r\nb@x"); }),
            "invalid recipient address");
  EXPECT_EQ(bad([](auto& h) { h.set_size(1u << 30); }), "message too large");
  EXPECT_EQ(bad([](auto& h) { h.set_dkim_signatures("X-Evil: 1\r\n"); }),
            "invalid DKIM-Signature fields");
  EXPECT_EQ(bad([](auto& h) { h.set_dkim_signatures("DKIM-Signature: a\r\nX-Evil: 1\r\n"); }),
            "invalid DKIM-Signature fields");
  EXPECT_EQ(bad([](auto& h) { h.set_dkim_signatures("DKIM-Signature: a"); }),
            "invalid DKIM-Signature fields");
  EXPECT_EQ(bad([](auto& h) {
              h.set_signing_state(postern::v1::FORWARD_SIGNING_NOT_SIGNED);
            }),
            "DKIM signatures without the SIGNED state");
  EXPECT_EQ(bad([](auto& h) { h.mutable_client()->set_helo("a\nb"); }),
            "invalid client information");
  EXPECT_EQ(bad([](auto& h) { h.set_received_unix_ms(0); }), "missing arrival time");
}

TEST(ForwardRecord, KeyIsStableAndDependsOnOriginAndRecipients) {
  const auto h = make_forward_header(signed_record(), {"bob@remote.test"}, "athena", 21);
  const std::string key = forward_key(h);
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(forward_key(h), key);
  auto other = h;
  other.set_origin_node("hermes");
  EXPECT_NE(forward_key(other), key);
  other = h;
  other.set_origin_queue_id("0abd");
  EXPECT_NE(forward_key(other), key);
  other = h;
  other.add_recipients()->set_address("carol@x.sub.test");
  EXPECT_NE(forward_key(other), key);
  // Length-prefixed: moving bytes between fields changes the key.
  other = h;
  other.set_origin_node("athena0");
  other.set_origin_queue_id("abc");
  EXPECT_NE(forward_key(other), key);
}

}  // namespace
}  // namespace postern::router::forward
