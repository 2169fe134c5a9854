// posternctl keymgmt's output: tables and DNS records an admin can read, compare and paste
// into a DNS console or a zone file. Pure functions over the KeyManagement replies.
//
// DNS: a DKIM record is published as TXT at SELECTOR._domainkey.DOMAIN. A TXT character-string
// holds at most 255 bytes (RFC 1035 3.3.14), so RSA records (a 2048-bit p= is ~400 bytes) are
// split into several quoted strings of at most 255 bytes for zone files; resolvers join them.
// DNS consoles mostly take the unsplit value, which is printed too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "postern/v1/keystore.pb.h"

namespace postern::services {

inline constexpr std::size_t kMaxTxtStringBytes = 255;

// "rsa" / "ed25519" / "?"
std::string_view key_type_name(postern::v1::DkimKeyType type);

// `value` cut into pieces of at most `max` bytes (at least one piece, even for "").
std::vector<std::string> split_txt(std::string_view value, std::size_t max = kMaxTxtStringBytes);

// The TXT record data as quoted character-strings ("a" "b"), with '"' and '\' escaped.
std::string quoted_txt(std::string_view value);

// The zone-file line: `NAME. 3600 IN TXT ( "..." "..." )` (one line, no trailing newline).
std::string zone_file_line(const postern::v1::DkimKeyInfo& key);

// What `keymgmt export dkim dns` prints: the name, the value, and for values longer than
// one TXT string the zone-file form.
std::string format_dns_record(const postern::v1::DkimKeyInfo& key);

// Tables with a header line; columns padded to the widest cell. Empty lists say so.
std::string format_dkim_table(const postern::v1::ListDkimReply& reply);
std::string format_nek_table(const postern::v1::ListNeksReply& reply);
std::string format_secret_table(const postern::v1::ListSecretsReply& reply);

// One key on one line: "DOMAIN SELECTOR TYPE BITS  fingerprint F".
std::string format_key_line(const postern::v1::DkimKeyInfo& key);

// `keymgmt import credstore`: which keys were imported and which were already there.
std::string format_bundle_import(const postern::v1::ImportBundleReply& reply);

// `keymgmt show credstore`.
std::string format_credstore(const postern::v1::CredstoreInfo& info);

// Unix seconds as "YYYY-MM-DD HH:MM:SS UTC" ("-" for 0).
std::string format_utc(int64_t unix_seconds);

}  // namespace postern::services
