// DKIM-Signature field values (RFC 6376 3.5, RFC 8463 3, RFC 8301): tags v a b bh c d h i l
// q s t x z, parsed into a typed Signature, with the structural checks of RFC 6376 6.1.1 that
// need no clock and no DNS.
//
// SECURITY: the value is an untrusted header field. Pure function over bytes: no I/O, no
// clock, no exceptions; capped by tag_list.h's limits and kMaxSignedHeaders.
//
// Checks done here, with their result (see verdict.h for the mapping):
//   permerror  tag-list syntax, a required tag (v a b bh d h s) missing, a malformed value,
//              i= not the same as or a subdomain of d=, h= without From, x= not after t=
//   neutral    v= other than 1, an algorithm other than rsa-sha256 / ed25519-sha256 /
//              rsa-sha1, an unknown canonicalization, q= without dns/txt
// rsa-sha1 parses successfully (Algorithm::rsa_sha1): the verifier reports it as fail per
// RFC 8301 with its own reason. Time checks (t=, x= against now) are check_times().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/mailauth/dkim/verdict.h"

namespace postern::mailauth::dkim {

enum class Algorithm { rsa_sha256, ed25519_sha256, rsa_sha1 };
enum class Canon { simple, relaxed };

const char* to_string(Algorithm);  // "rsa-sha256", ...
const char* to_string(Canon);      // "simple" / "relaxed"

struct Signature {
  Algorithm algorithm = Algorithm::rsa_sha256;
  Canon header_canon = Canon::simple;  // c= default simple/simple (3.5)
  Canon body_canon = Canon::simple;
  std::string domain;                        // d=, lower-cased
  std::string selector;                      // s=, as written
  std::vector<std::string> signed_headers;   // h=, names as written, in order
  std::string identity;                      // i=, default "@" + d= (3.5)
  std::optional<uint64_t> body_length;       // l=
  std::optional<uint64_t> timestamp;         // t=, seconds since the epoch
  std::optional<uint64_t> expiration;        // x=
  std::string signature;                     // b=, decoded
  std::string body_hash;                     // bh=, decoded
  std::string b_text;                        // b= as base64 without FWS (header.b)
};

struct SignatureParse {
  // Filled as far as parsing got, so a failure can still report header.d/s/a/b.
  Signature signature;
  std::string algorithm_text;  // a= as written ("" if absent): header.a even when unknown
  std::optional<Verdict> error;  // nullopt: the signature is structurally valid

  bool ok() const { return !error.has_value(); }
};

SignatureParse parse_signature(std::string_view field_value);

// RFC 6376 3.5 t= and x= against `now` (seconds since the epoch): policy when t= is more than
// `skew` seconds in the future or x= is more than `skew` seconds in the past.
std::optional<Verdict> check_times(const Signature&, int64_t now, int64_t skew);

// The DNS name of the key: "<s>._domainkey.<d>" (RFC 6376 3.6.2.1).
std::string key_name(const Signature&);

// Syntax of d= and s= (RFC 6376 3.5: dot-separated labels of letters, digits, "-" and, for
// real-world selectors, "_"; each 1-63 octets, at most kMaxDomainBytes in all).
bool valid_domain_name(std::string_view name);

// RFC 6376 3.5 i=: the domain of `identity` (after the last "@") is `domain` or a subdomain
// of it, case-insensitively. `strict` (key record t=s) requires it to be `domain` itself.
bool identity_within(std::string_view identity, std::string_view domain, bool strict);

}  // namespace postern::mailauth::dkim
