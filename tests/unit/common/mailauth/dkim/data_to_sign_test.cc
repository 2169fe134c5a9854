#include "common/mailauth/dkim/data_to_sign.h"

#include <gtest/gtest.h>

namespace postern::mailauth::dkim {
namespace {

std::vector<std::string> raws(const std::vector<const mime::Field*>& fields) {
  std::vector<std::string> out;
  for (const mime::Field* f : fields) out.emplace_back(f->raw);
  return out;
}

TEST(SelectSignedFields, BottomUpAndOversigning) {
  const auto fields = mime::parse_fields(
      "Received: 1\r\nFrom: a\r\nSubject: s1\r\nReceived: 2\r\nsubject: s2\r\n");
  EXPECT_EQ(raws(select_signed_fields(fields, {"subject", "Subject", "SUBJECT", "from"})),
            (std::vector<std::string>{"subject: s2\r\n", "Subject: s1\r\n", "From: a\r\n"}));
  EXPECT_EQ(raws(select_signed_fields(fields, {"received", "x-missing", "from", "from"})),
            (std::vector<std::string>{"Received: 2\r\n", "From: a\r\n"}));
}

TEST(WithoutBValue, DeletesOnlyTheValueOfB) {
  const std::pair<const char*, const char*> cases[] = {
      {"DKIM-Signature: a=1; bh=xyz; b=abc\r\n def\r\n", "DKIM-Signature: a=1; bh=xyz; b=\r\n"},
      {"DKIM-Signature: b=abc; bh=xyz\r\n", "DKIM-Signature: b=; bh=xyz\r\n"},
      {"DKIM-Signature: b = \r\n abc ; bh=xyz", "DKIM-Signature: b = ; bh=xyz"},
      {"DKIM-Signature: b=; bh=xyz", "DKIM-Signature: b=; bh=xyz"},
  };
  for (const auto& [in, out] : cases) {
    const auto got = without_b_value(in);
    ASSERT_TRUE(got.has_value()) << in;
    EXPECT_EQ(*got, out);
  }
  EXPECT_FALSE(without_b_value("DKIM-Signature: bh=xyz\r\n").has_value());
  EXPECT_FALSE(without_b_value("DKIM-Signature: b=1; b=2\r\n").has_value());
  EXPECT_FALSE(without_b_value("no colon").has_value());
}

TEST(HeaderHashInput, SignedFieldsThenSignatureWithoutCrlf) {
  const auto fields = mime::parse_fields("From: Joe <j@x>\r\nTo:  a\r\n\tb\r\n");
  EXPECT_EQ(header_hash_input(Canon::relaxed, fields, {"to", "from"},
                              "DKIM-Signature: v=1;\r\n b="),
            "to:a b\r\nfrom:Joe <j@x>\r\ndkim-signature:v=1; b=");
  EXPECT_EQ(header_hash_input(Canon::simple, fields, {"from"}, "DKIM-Signature: v=1;\r\n b=\r\n"),
            "From: Joe <j@x>\r\nDKIM-Signature: v=1;\r\n b=");
}

}  // namespace
}  // namespace postern::mailauth::dkim
