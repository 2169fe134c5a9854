#include "keystore/service/convert.h"

#include <gtest/gtest.h>

namespace postern::keystore::service {
namespace {

TEST(Convert, KeyTypesRoundTripAndUnspecifiedIsRefused) {
  EXPECT_EQ(from_proto(to_proto(KeyType::rsa)), KeyType::rsa);
  EXPECT_EQ(from_proto(to_proto(KeyType::ed25519)), KeyType::ed25519);
  EXPECT_EQ(from_proto(postern::v1::DKIM_KEY_TYPE_UNSPECIFIED), std::nullopt);
  EXPECT_EQ(from_proto(static_cast<postern::v1::DkimKeyType>(42)), std::nullopt);
}

TEST(Convert, DkimKeyInfoCarriesEveryField) {
  DkimKeyInfo in;
  in.domain = "example.com";
  in.selector = "s1";
  in.type = KeyType::ed25519;
  in.bits = 256;
  in.fingerprint = "abcd ef01";
  in.dns_name = "s1._domainkey.example.com";
  in.dns_value = "v=DKIM1; k=ed25519; p=AAAA";
  in.created_unix = 1700000000;
  postern::v1::DkimKeyInfo out;
  to_proto(in, &out);
  EXPECT_EQ(out.domain(), "example.com");
  EXPECT_EQ(out.selector(), "s1");
  EXPECT_EQ(out.type(), postern::v1::DKIM_KEY_TYPE_ED25519);
  EXPECT_EQ(out.bits(), 256u);
  EXPECT_EQ(out.fingerprint(), "abcd ef01");
  EXPECT_EQ(out.dns_name(), "s1._domainkey.example.com");
  EXPECT_EQ(out.dns_value(), "v=DKIM1; k=ed25519; p=AAAA");
  EXPECT_EQ(out.created_unix(), 1700000000);
}

TEST(Convert, CredstoreAndSecretInfo) {
  postern::v1::CredstoreInfo c;
  to_proto(CredstoreInfo{"main", "1234 5678", 3, 2}, &c);
  EXPECT_EQ(c.nek(), "main");
  EXPECT_EQ(c.nek_fingerprint(), "1234 5678");
  EXPECT_EQ(c.dkim_keys(), 3u);
  EXPECT_EQ(c.secrets(), 2u);
  postern::v1::SecretInfo s;
  to_proto(SecretInfo{"relay", "alice", 42}, &s);
  EXPECT_EQ(s.name(), "relay");
  EXPECT_EQ(s.username(), "alice");
  EXPECT_EQ(s.updated_unix(), 42);
}

}  // namespace
}  // namespace postern::keystore::service
