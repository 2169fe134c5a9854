// DMARC evaluation end to end over the real resolver path: c-ares against a dnslib server
// (tests/unit/common/dns/dns_fixture.py) on 127.0.0.1 serving the zone below.
#include "common/mailauth/dmarc/evaluator.h"
#include "common/mailauth/dmarc/tree_walk.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "tests/unit/common/dns/dns_fixture.h"
#include "tests/unit/common/dns/run_awaitable.h"

namespace postern::mailauth::dmarc {
namespace {

namespace asio = boost::asio;

constexpr const char* kZone = R"(
$TTL 300
_dmarc.example.org.      IN TXT "v=DMARC1; p=reject; sp=quarantine; np=reject; " "rua=mailto:agg@example.org"
_dmarc.example.org.      IN TXT "google-site-verification=abc"
host.example.org.        IN A   192.0.2.10
_dmarc.strict.test.      IN TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
_dmarc.sampled.test.     IN TXT "v=DMARC1; p=reject; pct=25"
_dmarc.monitor.test.     IN TXT "v=DMARC1; p=none"
_dmarc.twice.test.       IN TXT "v=DMARC1; p=reject"
_dmarc.twice.test.       IN TXT "v=DMARC1; p=none"
_dmarc.broken.test.      IN TXT "v=DMARC1; p=bogus"
_dmarc.mail.testing.test. IN TXT "v=DMARC1; p=reject; t=y"
_dmarc.walk.test.        IN TXT "v=DMARC1; p=reject"
_dmarc.psd.test.         IN TXT "v=DMARC1; p=reject; psd=y"
_dmarc.corp.psd.test.    IN TXT "v=DMARC1; p=quarantine; psd=n"
)";

SpfInput spf(SpfResult r, std::string d) { return SpfInput{r, std::move(d)}; }
DkimInput dkim(DkimResult r, std::string d) { return DkimInput{r, std::move(d), "sel"}; }

class DmarcEvaluatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::DnsFixture(kZone);
    psl_ = new PublicSuffixList(*PublicSuffixList::system());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete psl_;
    server_ = nullptr;
    psl_ = nullptr;
  }

  Evaluation run(Inputs in, OrgDomainMethod method = OrgDomainMethod::psl,
                 PercentSource percent = [] { return 0; }) {
    auto resolver = dns::make_cares_resolver(io_.get_executor(),
                                             server_->config(std::chrono::milliseconds(500), 2));
    Options options;
    options.method = method;
    options.psl = psl_;
    options.percent = std::move(percent);
    return postern::testing::run_awaitable(io_, evaluate(*resolver, std::move(in), options));
  }

  asio::io_context io_;
  static testing::DnsFixture* server_;
  static PublicSuffixList* psl_;
};
testing::DnsFixture* DmarcEvaluatorTest::server_ = nullptr;
PublicSuffixList* DmarcEvaluatorTest::psl_ = nullptr;

TEST_F(DmarcEvaluatorTest, AlignedDkimPasses) {
  const Evaluation ev = run({"example.org", spf(SpfResult::fail, "example.org"),
                             {dkim(DkimResult::pass, "example.org")}});
  EXPECT_EQ(ev.result, Result::pass) << ev.reason;
  EXPECT_EQ(ev.policy_domain, "example.org");
  EXPECT_TRUE(ev.dkim_aligned);
  EXPECT_FALSE(ev.spf_aligned);
  EXPECT_EQ(ev.dkim_aligned_domain, "example.org");
  EXPECT_EQ(ev.disposition.apply, Policy::none);
  ASSERT_TRUE(ev.record);
  EXPECT_EQ(ev.record->rua.size(), 1u);  // multi-string TXT joined; non-DMARC TXT ignored
}

TEST_F(DmarcEvaluatorTest, RelaxedSpfFromSubdomainPasses) {
  const Evaluation ev =
      run({"example.org", spf(SpfResult::pass, "bounces.example.org"), {}});
  EXPECT_EQ(ev.result, Result::pass) << ev.reason;
  EXPECT_TRUE(ev.spf_aligned);
  EXPECT_EQ(ev.org_domain, "example.org");
}

TEST_F(DmarcEvaluatorTest, UnalignedPassesFailAndRejectApplies) {
  const Evaluation ev = run({"example.org", spf(SpfResult::pass, "example.net"),
                             {dkim(DkimResult::pass, "example.net"),
                              dkim(DkimResult::fail, "example.org")}});
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.scope, PolicyScope::domain);
  EXPECT_EQ(ev.disposition.requested, Policy::reject);
  EXPECT_EQ(ev.disposition.apply, Policy::reject);
}

TEST_F(DmarcEvaluatorTest, SpfOnlyCountsWhenItPassed) {
  const Evaluation ev = run({"example.org", spf(SpfResult::softfail, "example.org"), {}});
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_FALSE(ev.spf_aligned);
}

TEST_F(DmarcEvaluatorTest, SubdomainUsesOrganizationalDomainRecordAndSp) {
  const Evaluation ev = run({"host.example.org", spf(SpfResult::none, ""), {}});
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.policy_domain, "example.org");
  EXPECT_EQ(ev.scope, PolicyScope::subdomain);  // host.example.org exists: sp, not np
  EXPECT_EQ(ev.disposition.apply, Policy::quarantine);
  EXPECT_EQ(ev.dns_lookups, 3);  // _dmarc.host, _dmarc.example.org, A host.example.org
}

TEST_F(DmarcEvaluatorTest, NonExistentSubdomainUsesNp) {
  const Evaluation ev = run({"nosuch.example.org", spf(SpfResult::none, ""), {}});
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.scope, PolicyScope::non_existent);
  EXPECT_EQ(ev.disposition.apply, Policy::reject);
}

TEST_F(DmarcEvaluatorTest, StrictAlignment) {
  const Evaluation relaxed_would_pass =
      run({"strict.test", spf(SpfResult::pass, "mail.strict.test"),
           {dkim(DkimResult::pass, "sub.strict.test")}});
  EXPECT_EQ(relaxed_would_pass.result, Result::fail);
  const Evaluation exact = run({"strict.test", spf(SpfResult::pass, "STRICT.test."), {}});
  EXPECT_EQ(exact.result, Result::pass) << exact.reason;
}

TEST_F(DmarcEvaluatorTest, PctSamplingUsesTheInjectedSource) {
  const Inputs in{"sampled.test", spf(SpfResult::fail, "sampled.test"), {}};
  const Evaluation in_sample = run(in, OrgDomainMethod::psl, [] { return 24; });
  EXPECT_EQ(in_sample.disposition.apply, Policy::reject);
  const Evaluation out_of_sample = run(in, OrgDomainMethod::psl, [] { return 25; });
  EXPECT_EQ(out_of_sample.disposition.apply, Policy::quarantine);
  EXPECT_TRUE(out_of_sample.disposition.sampled_out);
}

TEST_F(DmarcEvaluatorTest, TestingFlagSoftensTheOrgDomainPolicy) {
  const Evaluation ev = run({"mail.testing.test", spf(SpfResult::fail, ""), {}});
  EXPECT_EQ(ev.result, Result::fail);
  EXPECT_EQ(ev.disposition.apply, Policy::quarantine);
  EXPECT_TRUE(ev.disposition.testing);
}

TEST_F(DmarcEvaluatorTest, NoRecordIsNone) {
  const Evaluation ev =
      run({"unpublished.test", spf(SpfResult::pass, "unpublished.test"), {}});
  EXPECT_EQ(ev.result, Result::none);
  EXPECT_FALSE(ev.record);
  EXPECT_EQ(ev.disposition.apply, Policy::none);
}

TEST_F(DmarcEvaluatorTest, SeveralRecordsAreNone) {
  const Evaluation ev = run({"twice.test", spf(SpfResult::fail, "x.example"), {}});
  EXPECT_EQ(ev.result, Result::none) << ev.reason;
}

TEST_F(DmarcEvaluatorTest, InvalidRecordIsPermerror) {
  const Evaluation ev = run({"broken.test", spf(SpfResult::fail, "x.example"), {}});
  EXPECT_EQ(ev.result, Result::permerror);
  EXPECT_EQ(ev.disposition.apply, Policy::none);
}

TEST_F(DmarcEvaluatorTest, DnsFailureIsTemperror) {
  const Evaluation ev = run({"x.servfail.test", spf(SpfResult::pass, "x.servfail.test"), {}});
  EXPECT_EQ(ev.result, Result::temperror) << ev.reason;
  EXPECT_EQ(ev.disposition.apply, Policy::none);
}

TEST_F(DmarcEvaluatorTest, AlignedTemperrorWithoutPassIsTemperror) {
  const Evaluation ev = run({"example.org", spf(SpfResult::fail, "example.org"),
                             {dkim(DkimResult::temperror, "example.org")}});
  EXPECT_EQ(ev.result, Result::temperror) << ev.reason;
  // An unaligned temperror cannot turn into an aligned pass: still fail.
  const Evaluation unaligned = run({"example.org", spf(SpfResult::temperror, "example.net"),
                                    {dkim(DkimResult::temperror, "example.net")}});
  EXPECT_EQ(unaligned.result, Result::fail) << unaligned.reason;
}

TEST_F(DmarcEvaluatorTest, MissingPublicSuffixListIsPermerror) {
  auto resolver = dns::make_cares_resolver(io_.get_executor(), server_->config());
  const Evaluation ev = postern::testing::run_awaitable(
      io_, evaluate(*resolver, Inputs{"example.org", {}, {}}, Options{}));
  EXPECT_EQ(ev.result, Result::permerror);
  EXPECT_EQ(ev.dns_lookups, 0);
}

// DMARCbis tree walk.
TEST_F(DmarcEvaluatorTest, TreeWalkFindsTheRecordUpTheTree) {
  const Evaluation ev = run({"deep.sub.walk.test", spf(SpfResult::none, ""),
                             {dkim(DkimResult::pass, "other.walk.test")}},
                            OrgDomainMethod::tree_walk);
  EXPECT_EQ(ev.result, Result::pass) << ev.reason;
  EXPECT_EQ(ev.policy_domain, "walk.test");
  EXPECT_EQ(ev.org_domain, "walk.test");
  EXPECT_EQ(ev.scope, PolicyScope::subdomain);
}

TEST_F(DmarcEvaluatorTest, TreeWalkPsdYesMakesTheNextLabelTheOrgDomain) {
  // PSL: psd.test is the Organizational Domain, so other.psd.test aligns with shop.psd.test.
  const Inputs in{"x.shop.psd.test", spf(SpfResult::none, ""),
                  {dkim(DkimResult::pass, "other.psd.test")}};
  EXPECT_EQ(run(in, OrgDomainMethod::psl).result, Result::pass);
  // Tree walk: psd.test says psd=y, so shop.psd.test is the Organizational Domain.
  const Evaluation walk = run(in, OrgDomainMethod::tree_walk);
  EXPECT_EQ(walk.result, Result::fail) << walk.reason;
  EXPECT_EQ(walk.org_domain, "shop.psd.test");
  EXPECT_EQ(walk.policy_domain, "psd.test");
  const Evaluation aligned = run({"x.shop.psd.test", spf(SpfResult::pass, "y.shop.psd.test"), {}},
                                 OrgDomainMethod::tree_walk);
  EXPECT_EQ(aligned.result, Result::pass) << aligned.reason;
}

TEST_F(DmarcEvaluatorTest, TreeWalkPsdNoStopsTheWalk) {
  const Evaluation ev = run({"a.b.corp.psd.test", spf(SpfResult::pass, "mx.corp.psd.test"), {}},
                            OrgDomainMethod::tree_walk);
  EXPECT_EQ(ev.result, Result::pass) << ev.reason;
  EXPECT_EQ(ev.policy_domain, "corp.psd.test");
  EXPECT_EQ(ev.org_domain, "corp.psd.test");
}

TEST_F(DmarcEvaluatorTest, TreeWalkIsBounded) {
  std::string deep;
  for (int i = 0; i < 30; ++i) deep += "l" + std::to_string(i) + ".";
  deep += "nothing.test";
  const Evaluation ev = run({deep, spf(SpfResult::none, ""), {}}, OrgDomainMethod::tree_walk);
  EXPECT_EQ(ev.result, Result::none);
  EXPECT_EQ(ev.dns_lookups, static_cast<int>(kMaxTreeWalkLookups));
}

}  // namespace
}  // namespace postern::mailauth::dmarc
