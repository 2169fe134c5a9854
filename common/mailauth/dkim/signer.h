// DKIM signing without the private key (RFC 6376 3.7, 5; RFC 8463): everything a signer does
// except the signature itself, so the router can send only a SHA-256 digest to the keystore.
//
//   prepare_signature()  computes bh=, builds the DKIM-Signature field with an empty b= (the
//                        text that gets hashed) and the SHA-256 of the header hash input;
//   finish_signature()   appends the keystore's raw signature as base64 to that text.
//
// It reuses exactly what the verifier uses (canonicalize.h, body_hash.h, data_to_sign.h), so
// a signature made here verifies with verify.h by construction, and the tests prove it.
//
// Field layout: tags in the order v a c d [i] [q] s t [x] h bh b, separated by "; ", folded
// at about 76 columns with CRLF SP (only where the tag-list grammar allows FWS: between tags,
// around ":" in h=, inside b=). Relaxed header canonicalization makes this folding
// irrelevant to the digest; simple canonicalization hashes it as written, which is fine since
// the same text is what gets sent.
//
// h= (RFC 6376 5.4.1, 8.15): each name of `headers` once per instance present in the message
// (absent ones are left out), each name of `oversign` once more than it occurs (so a field of
// that name added later breaks the signature). Names are written lower-case.
//
// SECURITY: the message is untrusted content (a sender chose every byte); it is only parsed
// by the capped, total header and canonicalization code the verifier uses. No key material
// is seen here: the signature comes from the keystore, which never sees the message.
//
// Contract: pure functions over bytes; no I/O, no clock (t= and x= are parameters), no
// exceptions. The message is what the router queued: CRLF line ends (bare LF is treated as
// CRLF by the canonicalizers). l= is never written (RFC 6376 8.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/mailauth/dkim/signature.h"

namespace postern::mailauth::dkim {

struct SignerParams {
  std::string domain;    // d= (lower-case, no trailing dot)
  std::string selector;  // s=
  Algorithm algorithm = Algorithm::rsa_sha256;  // rsa_sha256 or ed25519_sha256
  Canon header_canon = Canon::relaxed;
  Canon body_canon = Canon::relaxed;
  std::vector<std::string> headers;   // signed when present
  std::vector<std::string> oversign;  // listed once more than they occur
  uint64_t timestamp = 0;             // t=
  std::optional<uint64_t> expiration; // x= (must be after t=)
  // Rarely used tags, written only when set: i= (e.g. "@example.com") and q=dns/txt.
  std::string identity;
  bool write_query_method = false;
  // When set, h= is exactly this list (as given, in order) instead of the headers/oversign
  // rule: to reproduce a signature made elsewhere (the RFC 8463 example).
  std::optional<std::vector<std::string>> explicit_signed_headers;
  // Between h= names; ":" unless reproducing a signer that writes " : " (RFC 8463 A.3).
  std::string h_separator = ":";
};

struct SigningInput {
  // "DKIM-Signature: v=1; ...; b=" folded with CRLF SP, without a final line end.
  std::string header_without_b;
  std::string digest;  // SHA-256 of the header hash input: 32 octets
};

// The h= names for `message`'s header block under params.headers / params.oversign.
std::vector<std::string> names_to_sign(std::string_view header_block,
                                       const std::vector<std::string>& headers,
                                       const std::vector<std::string>& oversign);

SigningInput prepare_signature(std::string_view message, const SignerParams& params);

// The same for several signatures of one message: the header block is parsed once and the
// body hashed once per body canonicalization. One SigningInput per params, in order.
std::vector<SigningInput> prepare_signatures(std::string_view message,
                                             const std::vector<SignerParams>& params);

// The complete field: header_without_b, the base64 of `signature` folded at ~76 columns with
// CRLF SP, and a final CRLF. Prepend it to the message.
std::string finish_signature(std::string_view header_without_b, std::string_view signature);

}  // namespace postern::mailauth::dkim
