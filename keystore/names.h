// The names the KeyVault accepts for DKIM keys and secrets, and how a DKIM key's (domain,
// selector) maps to its Store entry name. Pure: no I/O, no allocation of secrets.
//
// Contract:
// - Domains are normalized, then checked: ASCII only (an internationalized domain is given as
//   its A-label, "xn--..."), lower-cased, one trailing dot removed; then 1..253 bytes of
//   labels of 1..63 letters, digits and '-' that neither start nor end with '-'
//   ("Example.COM." -> "example.com").
// - Selectors (RFC 6376 3.1: sub-domain *("." sub-domain)) get the same label rules and are
//   lower-cased too, since DNS compares names case-insensitively and "S1" and "s1" would
//   publish the same record. SELECTOR "._domainkey." DOMAIN must fit in 253 bytes.
// - Secret names are 1..128 bytes of [A-Za-z0-9._@+-], kept as given (case-sensitive).
// - Every refusal is invalid_argument with a sentence naming the rule.
//
// SECURITY: names are untrusted input (gRPC requests, bundle files from another cluster).
// They are checked byte by byte before any use as a Store key; an error message quotes the
// offending name only when it is printable ASCII (names are not secret, but a control
// character must not reach a log line).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "keystore/result.h"

namespace postern::keystore {

inline constexpr std::size_t kMaxDomainBytes = 253;
inline constexpr std::size_t kMaxLabelBytes = 63;
inline constexpr std::size_t kMaxSecretNameBytes = 128;

struct DkimName {
  std::string domain;    // normalized
  std::string selector;  // normalized

  // The Store entry name: DOMAIN 0x00 SELECTOR (store.h, seal.h).
  std::string entry_name() const;
  // SELECTOR._domainkey.DOMAIN, where the public key is published.
  std::string dns_name() const;
};

// "Example.COM." -> "example.com", or invalid_argument.
Result<std::string> normalize_domain(std::string_view domain);

// Both names normalized and checked, including the length of the DNS name they form.
Result<DkimName> normalize_dkim_name(std::string_view domain, std::string_view selector);

// The (domain, selector) of a Store entry name written by entry_name(); nullopt for a name
// that is not of that shape or whose parts are not normalized.
std::optional<DkimName> parse_dkim_entry_name(std::string_view entry_name);

// nullopt when `name` is an acceptable secret name, else invalid_argument.
std::optional<Error> check_secret_name(std::string_view name);

}  // namespace postern::keystore
