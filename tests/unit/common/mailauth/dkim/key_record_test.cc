#include "common/mailauth/dkim/key_record.h"

#include <gtest/gtest.h>

namespace postern::mailauth::dkim {
namespace {

TEST(ParseKeyRecord, Defaults) {
  const KeyRecordParse k = parse_key_record("p=QUJD");
  ASSERT_TRUE(k.ok()) << k.error;
  EXPECT_EQ(k.record.type, KeyType::rsa);
  EXPECT_TRUE(k.record.hashes.empty());
  EXPECT_TRUE(k.record.allows_hash("sha256"));
  EXPECT_TRUE(k.record.email_service);
  EXPECT_FALSE(k.record.testing);
  EXPECT_FALSE(k.record.strict);
  EXPECT_FALSE(k.record.revoked());
  EXPECT_EQ(k.record.public_key, "ABC");
}

TEST(ParseKeyRecord, AllTags) {
  const KeyRecordParse k = parse_key_record(
      "v=DKIM1; k=ed25519; h=sha1:SHA256; s=email; t=y:s:z; n=notes; p=QU JD");
  ASSERT_TRUE(k.ok()) << k.error;
  EXPECT_EQ(k.record.type, KeyType::ed25519);
  EXPECT_EQ(k.record.hashes, (std::vector<std::string>{"sha1", "sha256"}));
  EXPECT_TRUE(k.record.allows_hash("sha256"));
  EXPECT_TRUE(k.record.email_service);
  EXPECT_TRUE(k.record.testing);
  EXPECT_TRUE(k.record.strict);
  EXPECT_EQ(k.record.public_key, "ABC");
}

TEST(ParseKeyRecord, RestrictionsAndRevocation) {
  EXPECT_FALSE(parse_key_record("h=sha1; p=QUJD").record.allows_hash("sha256"));
  EXPECT_FALSE(parse_key_record("s=other; p=QUJD").record.email_service);
  EXPECT_TRUE(parse_key_record("s=other:*; p=QUJD").record.email_service);
  const KeyRecordParse revoked = parse_key_record("v=DKIM1; p=");
  ASSERT_TRUE(revoked.ok()) << revoked.error;
  EXPECT_TRUE(revoked.record.revoked());
}

TEST(ParseKeyRecord, Rejects) {
  const std::pair<const char*, const char*> cases[] = {
      {"no p", "v=DKIM1; k=rsa"},
      {"v not first", "k=rsa; v=DKIM1; p=QUJD"},
      {"v wrong", "v=DKIM2; p=QUJD"},
      {"v lower case", "v=dkim1; p=QUJD"},
      {"unknown k", "k=dsa; p=QUJD"},
      {"p not base64", "p=QUJ"},
      {"empty h entry", "h=sha256:; p=QUJD"},
      {"tag syntax", "v=DKIM1; p"},
      {"spf record", "v=spf1 -all"},
  };
  for (const auto& [name, text] : cases) {
    const KeyRecordParse k = parse_key_record(text);
    EXPECT_FALSE(k.ok()) << name;
    EXPECT_FALSE(k.error.empty()) << name;
  }
}

}  // namespace
}  // namespace postern::mailauth::dkim
