// DKIM key records (RFC 6376 3.6.1, RFC 8463 4): the TXT record at <s>._domainkey.<d>, tags
// v k h p s t, parsed into a typed KeyRecord.
//
// SECURITY: the record comes from any DNS zone a sender controls. Pure function: no I/O, no
// exceptions, capped by tag_list.h's limits. The public key bytes are only decoded here; they
// are turned into a key (and its size checked) by public_key.h.
//
// Rules: v= is optional but, when present, must be "DKIM1" and the first tag; k= defaults to
// rsa, unknown k= is an error (3.6.1: "unrecognized ... MUST be ignored" refers to the whole
// record); p= is required and an empty p= means the key was revoked (3.6.1); h= and s= are
// colon-separated lists whose unknown members are ignored; t= flags y (testing) and s (strict
// i=/d= match), unknown flags ignored. Any failure is a permerror for the signature.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::mailauth::dkim {

enum class KeyType { rsa, ed25519 };

struct KeyRecord {
  KeyType type = KeyType::rsa;
  // h=: hash algorithms the key may be used with, lower-cased; empty = any (3.6.1).
  std::vector<std::string> hashes;
  bool email_service = true;  // s= includes "email" or "*" (default "*")
  bool testing = false;       // t=y
  bool strict = false;        // t=s: i= must be exactly d=, no subdomain
  // p= decoded: DER SubjectPublicKeyInfo for rsa, the raw 32-octet key for ed25519.
  // Empty when revoked.
  std::string public_key;

  bool revoked() const { return public_key.empty(); }
  // Whether h= allows `hash` ("sha256").
  bool allows_hash(std::string_view hash) const;
};

struct KeyRecordParse {
  KeyRecord record;
  std::string error;  // empty on success

  bool ok() const { return error.empty(); }
};

KeyRecordParse parse_key_record(std::string_view text);

}  // namespace postern::mailauth::dkim
