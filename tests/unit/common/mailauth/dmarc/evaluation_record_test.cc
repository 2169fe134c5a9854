// The evaluation record for aggregate reports and its one-line JSON encoding.
#include "common/mailauth/dmarc/evaluation_record.h"

#include <gtest/gtest.h>

namespace postern::mailauth::dmarc {
namespace {

Evaluation failed_evaluation() {
  Evaluation ev;
  ev.result = Result::fail;
  ev.from_domain = "example.org";
  ev.policy_domain = "example.org";
  ev.record = *parse_record("v=DMARC1; p=reject; sp=quarantine; pct=50; adkim=s").record;
  ev.disposition.requested = Policy::reject;
  ev.disposition.apply = Policy::quarantine;
  ev.disposition.sampled_out = true;
  ev.reason = "no aligned SPF or DKIM pass";
  return ev;
}

Inputs inputs() {
  Inputs in;
  in.from_domain = "example.org";
  in.spf = {SpfResult::softfail, "bounce.example.net"};
  in.dkim = {{DkimResult::pass, "example.net", "s1"}, {DkimResult::fail, "example.org", "s2"}};
  return in;
}

TEST(DmarcEvaluationRecord, FromEvaluation) {
  const EvaluationRecord r =
      make_evaluation_record(failed_evaluation(), inputs(), "192.0.2.7", 1700000000);
  EXPECT_EQ(r.time, 1700000000);
  EXPECT_EQ(r.source_ip, "192.0.2.7");
  EXPECT_EQ(r.header_from, "example.org");
  EXPECT_EQ(r.envelope_from, "bounce.example.net");
  EXPECT_EQ(r.p, Policy::reject);
  EXPECT_EQ(r.sp, Policy::quarantine);
  EXPECT_FALSE(r.np);
  EXPECT_EQ(r.pct, 50);
  EXPECT_EQ(r.adkim, AlignmentMode::strict);
  EXPECT_EQ(r.dmarc, Result::fail);
  EXPECT_EQ(r.disposition, Policy::quarantine);
  EXPECT_EQ(r.requested, Policy::reject);
  EXPECT_TRUE(r.sampled_out);
  EXPECT_EQ(r.spf, SpfResult::softfail);
  ASSERT_EQ(r.dkim.size(), 2u);
  EXPECT_EQ(r.dkim[1].selector, "s2");
  EXPECT_EQ(r.dkim[1].result, DkimResult::fail);
}

TEST(DmarcEvaluationRecord, JsonLine) {
  const EvaluationRecord r =
      make_evaluation_record(failed_evaluation(), inputs(), "192.0.2.7", 1700000000);
  EXPECT_EQ(to_json_line(r),
            "{\"time\":1700000000,\"source_ip\":\"192.0.2.7\",\"header_from\":\"example.org\","
            "\"envelope_from\":\"bounce.example.net\",\"policy_domain\":\"example.org\","
            "\"p\":\"reject\",\"sp\":\"quarantine\",\"np\":null,\"pct\":50,\"adkim\":\"s\","
            "\"aspf\":\"r\",\"testing\":false,\"dmarc\":\"fail\",\"disposition\":\"quarantine\","
            "\"requested\":\"reject\",\"sampled_out\":true,\"dkim_alignment\":\"fail\","
            "\"spf_alignment\":\"fail\",\"reason\":\"no aligned SPF or DKIM pass\","
            "\"spf\":\"softfail\",\"dkim\":[{\"domain\":\"example.net\",\"selector\":\"s1\","
            "\"result\":\"pass\"},{\"domain\":\"example.org\",\"selector\":\"s2\","
            "\"result\":\"fail\"}]}\n");
}

TEST(DmarcEvaluationRecord, JsonEscapesUntrustedStrings) {
  EvaluationRecord r;
  r.reason = "quote \" backslash \\ newline \n cr \r tab \t nul " + std::string(1, '\0');
  r.dkim.push_back({"b\xc3\xbc" "cher.example", "ok", DkimResult::pass});  // valid UTF-8: kept
  r.dkim.push_back({"bad\xff\xfe", "s", DkimResult::none});                 // invalid: U+FFFD
  const std::string line = to_json_line(r);
  EXPECT_NE(line.find("\"reason\":\"quote \\\" backslash \\\\ newline \\u000a cr \\u000d tab "
                      "\\u0009 nul \\u0000\""),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("\"domain\":\"b\xc3\xbc" "cher.example\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"domain\":\"bad\\ufffd\\ufffd\""), std::string::npos) << line;
  // One line: the only LF is the last byte, and there is no CR.
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(line.find('\r'), std::string::npos);
}

TEST(DmarcEvaluationRecord, WithoutRecordPolicyIsNull) {
  Evaluation ev;
  ev.from_domain = "example.org";
  ev.reason = "no DMARC record for example.org";
  const std::string line = to_json_line(make_evaluation_record(ev, Inputs{}, "::1", 1));
  EXPECT_NE(line.find("\"p\":null,\"sp\":null,\"np\":null"), std::string::npos) << line;
  EXPECT_NE(line.find("\"dmarc\":\"none\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"dkim\":[]"), std::string::npos) << line;
}

}  // namespace
}  // namespace postern::mailauth::dmarc
