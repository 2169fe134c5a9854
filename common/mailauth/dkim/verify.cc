#include "common/mailauth/dkim/verify.h"

#include <optional>
#include <tuple>

#include "common/mailauth/dkim/body_hash.h"
#include "common/mailauth/dkim/data_to_sign.h"
#include "common/mailauth/dkim/key_record.h"
#include "common/mailauth/dkim/public_key.h"
#include "common/mime/headers.h"

namespace postern::mailauth::dkim {
namespace {

// Body hashes are shared by signatures with the same body canonicalization and l=.
struct BodyHashCache {
  std::string_view body;
  std::vector<std::tuple<Canon, std::optional<uint64_t>, BodyHash>> entries;

  const BodyHash& get(Canon canon, std::optional<uint64_t> limit) {
    for (const auto& [c, l, h] : entries) {
      if (c == canon && l == limit) return h;
    }
    entries.emplace_back(canon, limit, body_hash(canon, limit, body));
    return std::get<2>(entries.back());
  }
};

void decide(PreparedSignature& p, Result result, std::string reason) {
  p.decided = true;
  p.result.result = result;
  p.result.reason = std::move(reason);
}

PreparedSignature prepare_one(const mime::Field& field, const std::vector<mime::Field>& fields,
                              BodyHashCache& bodies, int64_t now, const VerifyOptions& options) {
  PreparedSignature p;
  SignatureParse parsed = parse_signature(field.raw_value);
  Signature& sig = parsed.signature;
  p.result.domain = sig.domain;
  p.result.selector = sig.selector;
  p.result.algorithm = parsed.algorithm_text;
  p.result.b_prefix = sig.b_text.substr(0, 8);
  p.result.identity = sig.identity;
  if (!parsed.ok()) {
    decide(p, parsed.error->result, parsed.error->reason);
    return p;
  }
  if (sig.algorithm == Algorithm::rsa_sha1) {
    decide(p, Result::fail, "rsa-sha1 is not accepted (RFC 8301)");
    return p;
  }
  if (auto late = check_times(sig, now, options.clock_skew)) {
    decide(p, late->result, late->reason);
    return p;
  }
  if (sig.body_length && !options.accept_body_length) {
    decide(p, Result::policy, "l= (partial body) not accepted");
    return p;
  }
  const BodyHash& body = bodies.get(sig.body_canon, sig.body_length);
  if (sig.body_length && *sig.body_length > body.canonical_length) {
    decide(p, Result::permerror, "l= exceeds the body length");
    return p;
  }
  p.result.partial_body = sig.body_length && *sig.body_length < body.canonical_length;
  p.body_hash_matches = body.digest == sig.body_hash;

  const std::optional<std::string> unsigned_field = without_b_value(field.raw);
  if (!unsigned_field) {  // cannot happen after a successful parse; kept total
    decide(p, Result::permerror, "b= not found");
    return p;
  }
  p.header_digest = sha256(header_hash_input(sig.header_canon, fields, sig.signed_headers,
                                             *unsigned_field));
  p.key_name = key_name(sig);
  p.signature = std::move(sig);
  return p;
}

}  // namespace

PreparedMessage prepare(std::string_view message, int64_t now, const VerifyOptions& options) {
  PreparedMessage out;
  const mime::HeaderSplit split = mime::split_header_block(message);
  const std::vector<mime::Field> fields = mime::parse_fields(split.headers);
  BodyHashCache bodies{split.body, {}};
  for (const mime::Field& field : fields) {
    if (!mime::iequals(field.name, "DKIM-Signature")) continue;
    if (out.signatures.size() >= options.max_signatures) {
      ++out.ignored;
      continue;
    }
    out.signatures.push_back(prepare_one(field, fields, bodies, now, options));
  }
  return out;
}

SignatureResult conclude(const PreparedSignature& p, const dns::Answer<std::string>& key_txt,
                         const VerifyOptions& options) {
  SignatureResult r = p.result;
  if (p.decided) return r;
  auto done = [&r](Result result, std::string reason) {
    r.result = result;
    r.reason = std::move(reason);
    return r;
  };
  switch (key_txt.status) {
    case dns::Status::ok: break;
    case dns::Status::nxdomain:
    case dns::Status::nodata:
      return done(Result::permerror, "no key record at " + p.key_name);
    case dns::Status::temperror:
      return done(Result::temperror, "key lookup failed: " + key_txt.error);
    case dns::Status::permerror:
      return done(Result::permerror, "key lookup failed: " + key_txt.error);
  }
  std::optional<KeyRecord> key;
  std::string key_error = "no key record at " + p.key_name;
  for (const std::string& txt : key_txt.records) {
    KeyRecordParse parsed = parse_key_record(txt);
    if (parsed.ok()) {
      key = std::move(parsed.record);
      break;
    }
    if (&txt == &key_txt.records.front()) key_error = parsed.error;
  }
  if (!key) return done(Result::permerror, key_error);
  r.testing = key->testing;

  const Signature& sig = p.signature;
  if (key->revoked()) return done(Result::permerror, "key revoked (empty p=)");
  const KeyType wanted = sig.algorithm == Algorithm::ed25519_sha256 ? KeyType::ed25519
                                                                    : KeyType::rsa;
  if (key->type != wanted) return done(Result::permerror, "key type does not match a=");
  if (!key->allows_hash("sha256")) return done(Result::permerror, "key h= does not allow sha256");
  if (!key->email_service) return done(Result::permerror, "key s= does not include email");
  if (key->strict && !identity_within(sig.identity, sig.domain, true)) {
    return done(Result::permerror, "key t=s: i= domain must equal d=");
  }
  std::string load_error;
  const std::optional<PublicKey> pkey =
      options.key_cache != nullptr
          ? options.key_cache->load(key->type, key->public_key, load_error)
          : PublicKey::load(key->type, key->public_key, load_error);
  if (!pkey) return done(Result::permerror, load_error);
  if (pkey->type() == KeyType::rsa && pkey->bits() < options.min_rsa_bits) {
    return done(Result::fail, "RSA key of " + std::to_string(pkey->bits()) +
                                  " bits is too small (RFC 8301)");
  }
  if (!p.body_hash_matches) return done(Result::fail, "body hash did not verify");
  if (!pkey->verify(p.header_digest, sig.signature)) {
    return done(Result::fail, "signature did not verify");
  }
  return done(Result::pass, "signature verified");
}

}  // namespace postern::mailauth::dkim
