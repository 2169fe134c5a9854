// router/signing/signing_plan.h: who gets signed (authenticated, trusted network, DSN; never
// relayed mail), the From domain (exactly one, exact case-insensitive match, no subdomains).
#include "router/signing/signing_plan.h"

#include <gtest/gtest.h>

namespace postern::router::signing {
namespace {

using postern::v1::queue::MessageRecord;

config::DkimSigning dkim_config() {
  config::DkimSigning c;
  c.signing = true;
  c.keys = {{"example.test", {"rsa2048", "ed"}}, {"other.test", {"s1"}}};
  return c;
}

MessageRecord authenticated() {
  MessageRecord m;
  m.mutable_client()->set_auth_user("alice");
  return m;
}

const std::string kMessage = "From: Alice <alice@example.test>\r\nTo: b@remote.test\r\n\r\nhi\r\n";

TEST(SigningPlan, AuthenticatedUserIsSignedWithEverySelectorInOrder) {
  const SigningPlan p = plan_signing(dkim_config(), authenticated(), kMessage);
  ASSERT_TRUE(p.sign) << p.reason;
  EXPECT_EQ(p.domain, "example.test");
  EXPECT_EQ(p.selectors, (std::vector<std::string>{"rsa2048", "ed"}));
}

TEST(SigningPlan, TrustedNetworkAndDsnAreOursToo) {
  MessageRecord trusted;
  trusted.mutable_client()->set_trusted_network(true);
  EXPECT_TRUE(plan_signing(dkim_config(), trusted, kMessage).sign);
  MessageRecord dsn;
  dsn.set_is_dsn(true);
  EXPECT_TRUE(plan_signing(dkim_config(), dsn, kMessage).sign);
}

TEST(SigningPlan, RelayedFromOutsideIsNeverSigned) {
  MessageRecord external;
  external.mutable_client()->set_address("192.0.2.1");
  const SigningPlan p = plan_signing(dkim_config(), external, kMessage);
  EXPECT_FALSE(p.sign);
  EXPECT_NE(p.reason.find("relayed from outside"), std::string::npos) << p.reason;
}

TEST(SigningPlan, SigningOffSignsNothing) {
  config::DkimSigning c = dkim_config();
  c.signing = false;
  EXPECT_FALSE(plan_signing(c, authenticated(), kMessage).sign);
}

TEST(SigningPlan, FromDomainMatchesCaseInsensitivelyButNotSubdomains) {
  EXPECT_TRUE(plan_signing(dkim_config(), authenticated(),
                           "From: ALICE@Example.TEST\r\n\r\nx\r\n").sign);
  const SigningPlan sub =
      plan_signing(dkim_config(), authenticated(), "From: a@sub.example.test\r\n\r\nx\r\n");
  EXPECT_FALSE(sub.sign);
  EXPECT_EQ(sub.reason, "no DKIM keys for sub.example.test");
  const SigningPlan parent =
      plan_signing(dkim_config(), authenticated(), "From: a@test\r\n\r\nx\r\n");
  EXPECT_FALSE(parent.sign);
  const SigningPlan other =
      plan_signing(dkim_config(), authenticated(), "From: a@other.test\r\n\r\nx\r\n");
  ASSERT_TRUE(other.sign);
  EXPECT_EQ(other.selectors, std::vector<std::string>{"s1"});
}

TEST(SigningPlan, NoFromOrSeveralFromHaveNoDomainToSignFor) {
  const SigningPlan none = plan_signing(dkim_config(), authenticated(), "To: b@x.test\r\n\r\nx\r\n");
  EXPECT_FALSE(none.sign);
  EXPECT_NE(none.reason.find("no From field"), std::string::npos) << none.reason;
  const SigningPlan two = plan_signing(
      dkim_config(), authenticated(),
      "From: a@example.test\r\nFrom: b@example.test\r\n\r\nx\r\n");
  EXPECT_FALSE(two.sign);
  EXPECT_NE(two.reason.find("multiple From fields"), std::string::npos) << two.reason;
  const SigningPlan list = plan_signing(dkim_config(), authenticated(),
                                        "From: a@example.test, b@example.test\r\n\r\nx\r\n");
  EXPECT_FALSE(list.sign);
}

}  // namespace
}  // namespace postern::router::signing
