#include "services/keymgmt_format.h"

#include <gtest/gtest.h>

namespace postern::services {
namespace {

postern::v1::DkimKeyInfo key(const std::string& domain, const std::string& selector,
                             postern::v1::DkimKeyType type, uint32_t bits,
                             const std::string& value) {
  postern::v1::DkimKeyInfo k;
  k.set_domain(domain);
  k.set_selector(selector);
  k.set_type(type);
  k.set_bits(bits);
  k.set_fingerprint("0123 4567 89ab cdef");
  k.set_dns_name(selector + "._domainkey." + domain);
  k.set_dns_value(value);
  return k;
}

TEST(SplitTxt, PiecesOfAtMost255BytesThatJoinToTheValue) {
  for (std::size_t n : {0u, 1u, 254u, 255u, 256u, 510u, 511u, 800u}) {
    const std::string value(n, 'x');
    const auto parts = split_txt(value);
    ASSERT_FALSE(parts.empty());
    std::string joined;
    for (const auto& p : parts) {
      EXPECT_LE(p.size(), kMaxTxtStringBytes);
      joined += p;
    }
    EXPECT_EQ(joined, value);
    EXPECT_EQ(parts.size(), n == 0 ? 1 : (n + 254) / 255) << n;
  }
}

TEST(QuotedTxt, QuotesEachPieceAndEscapes) {
  EXPECT_EQ(quoted_txt("v=DKIM1; k=ed25519; p=AB"), "\"v=DKIM1; k=ed25519; p=AB\"");
  EXPECT_EQ(quoted_txt("a\"b\\c"), "\"a\\\"b\\\\c\"");
  const std::string long_value = std::string(255, 'a') + "bb";
  EXPECT_EQ(quoted_txt(long_value), "\"" + std::string(255, 'a') + "\" \"bb\"");
}

TEST(DnsRecord, ShortValueOnOneLineLongValueSplitForZoneFiles) {
  const auto ed = key("example.com", "ed1", postern::v1::DKIM_KEY_TYPE_ED25519, 256,
                      "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  EXPECT_EQ(format_dns_record(ed),
            "Name:  ed1._domainkey.example.com\n"
            "Type:  TXT\n"
            "Value: v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n");
  EXPECT_EQ(zone_file_line(ed),
            "ed1._domainkey.example.com. 3600 IN TXT "
            "\"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"");

  const std::string value = "v=DKIM1; k=rsa; p=" + std::string(392, 'M');  // 410 bytes
  const auto rsa = key("example.com", "rsa1", postern::v1::DKIM_KEY_TYPE_RSA, 2048, value);
  const std::string zone = zone_file_line(rsa);
  EXPECT_EQ(zone, "rsa1._domainkey.example.com. 3600 IN TXT ( \"" + value.substr(0, 255) +
                      "\" \"" + value.substr(255) + "\" )");
  const std::string shown = format_dns_record(rsa);
  EXPECT_NE(shown.find("Value: " + value + "\n"), std::string::npos);
  EXPECT_NE(shown.find(zone), std::string::npos);
}

TEST(Tables, DkimTableHasAllColumnsAligned) {
  postern::v1::ListDkimReply reply;
  *reply.add_keys() = key("example.com", "ed1", postern::v1::DKIM_KEY_TYPE_ED25519, 256, "");
  *reply.add_keys() = key("b.example.org", "rsa2024", postern::v1::DKIM_KEY_TYPE_RSA, 2048, "");
  EXPECT_EQ(format_dkim_table(reply),
            "DOMAIN         SELECTOR  TYPE     SIZE  FINGERPRINT (SHA-256 of p=)\n"
            "example.com    ed1       ed25519  256   0123 4567 89ab cdef\n"
            "b.example.org  rsa2024   rsa      2048  0123 4567 89ab cdef\n");
  EXPECT_EQ(format_dkim_table(postern::v1::ListDkimReply()), "no DKIM keys\n");
}

TEST(Tables, SecretsShowNameUsernameAndTimeNeverAValue) {
  postern::v1::ListSecretsReply reply;
  auto* s = reply.add_secrets();
  s->set_name("relay-delta");
  s->set_username("alice");
  s->set_updated_unix(1700000000);
  auto* t = reply.add_secrets();
  t->set_name("api");
  EXPECT_EQ(format_secret_table(reply),
            "NAME         USERNAME  UPDATED\n"
            "relay-delta  alice     2023-11-14 22:13:20 UTC\n"
            "api          -         -\n");
}

TEST(Tables, Neks) {
  postern::v1::ListNeksReply reply;
  auto* n = reply.add_neks();
  n->set_name("main");
  n->set_fingerprint("aaaa bbbb");
  EXPECT_EQ(format_nek_table(reply), "NEK   FINGERPRINT\nmain  aaaa bbbb\n");
  EXPECT_EQ(format_nek_table(postern::v1::ListNeksReply()), "no NEKs\n");
}

TEST(BundleImport, ListsImportedAndUnchangedWithFingerprints) {
  postern::v1::ImportBundleReply reply;
  *reply.add_imported() = key("example.com", "a", postern::v1::DKIM_KEY_TYPE_RSA, 2048, "");
  *reply.add_unchanged() = key("example.com", "b", postern::v1::DKIM_KEY_TYPE_ED25519, 256, "");
  EXPECT_EQ(format_bundle_import(reply),
            "imported   example.com a rsa 2048  fingerprint 0123 4567 89ab cdef\n"
            "unchanged  example.com b ed25519 256  fingerprint 0123 4567 89ab cdef\n"
            "1 imported, 1 already present\n");
}

}  // namespace
}  // namespace postern::services
