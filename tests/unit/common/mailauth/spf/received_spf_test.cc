// Received-SPF header field text (RFC 7208 9.1).
#include <gtest/gtest.h>

#include "common/mailauth/spf/received_spf.h"

namespace postern::spf {
namespace {

Verdict verdict(Result result) {
  Verdict v;
  v.result = result;
  v.identity = Identity::mailfrom;
  v.domain = "example.com";
  v.sender = "myname@example.com";
  v.mechanism = result == Result::pass ? "ip4:192.0.2.0/24" : "";
  return v;
}

ReceivedSpfContext context() {
  return ReceivedSpfContext{"mybox.example.org", "192.0.2.1", "foo.example.com",
                            "myname@example.com"};
}

// RFC 7208 9.1's example; values with "@" or ":" are not dot-atoms, so they are quoted.
TEST(ReceivedSpf, PassLikeTheRfcExample) {
  EXPECT_EQ(received_spf_value(verdict(Result::pass), context()),
            "pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as "
            "permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1; "
            "envelope-from=\"myname@example.com\"; helo=foo.example.com; identity=mailfrom; "
            "mechanism=\"ip4:192.0.2.0/24\"");
}

TEST(ReceivedSpf, ErrorsCarryProblem) {
  Verdict v = verdict(Result::permerror);
  v.problem = "more than one SPF record at example.com";
  const std::string value = received_spf_value(v, context());
  EXPECT_TRUE(value.starts_with("permerror ("));
  EXPECT_NE(value.find("problem=\"more than one SPF record at example.com\""), std::string::npos);
}

TEST(ReceivedSpf, UntrustedValuesAreQuotedAndCannotInjectLines) {
  ReceivedSpfContext c = context();
  c.helo = "evil\r\nX-Injected: yes";
  c.envelope_from = "\"odd local\"@example.com";
  Verdict v = verdict(Result::softfail);
  v.sender = "a)b(c\\d@example.com";
  const std::string value = received_spf_value(v, c);
  EXPECT_EQ(value.find_first_of("\r\n"), std::string::npos);
  EXPECT_NE(value.find("helo=\"evil??X-Injected: yes\""), std::string::npos) << value;
  EXPECT_NE(value.find("envelope-from=\"\\\"odd local\\\"@example.com\""), std::string::npos);
  EXPECT_NE(value.find("transitioning a\\)b\\(c\\\\d@example.com"), std::string::npos) << value;
}

TEST(ReceivedSpf, FieldIsFoldedAndTerminated) {
  const std::string field = received_spf_field(verdict(Result::pass), context());
  EXPECT_TRUE(field.starts_with("Received-SPF: pass ("));
  EXPECT_TRUE(field.ends_with("mechanism=\"ip4:192.0.2.0/24\"\r\n"));
  // Every line break is a fold (CRLF followed by whitespace) except the final one.
  const std::string body = field.substr(0, field.size() - 2);
  for (std::size_t at = body.find("\r\n"); at != std::string::npos; at = body.find("\r\n", at + 2))
    EXPECT_TRUE(body[at + 2] == '\t' || body[at + 2] == ' ');
  EXPECT_NE(body.find("\r\n"), std::string::npos);
}

TEST(ReceivedSpf, EveryResultHasItsToken) {
  for (Result r : {Result::none, Result::neutral, Result::pass, Result::fail, Result::softfail,
                   Result::temperror, Result::permerror}) {
    const std::string value = received_spf_value(verdict(r), context());
    EXPECT_TRUE(value.starts_with(std::string(to_string(r)) + " (")) << value;
    EXPECT_EQ(result_from_string(to_string(r)), r);
  }
}

}  // namespace
}  // namespace postern::spf
