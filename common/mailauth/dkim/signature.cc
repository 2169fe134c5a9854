#include "common/mailauth/dkim/signature.h"

#include "common/encoding/base64.h"
#include "common/mailauth/dkim/limits.h"
#include "common/mailauth/dkim/tag_list.h"

namespace postern::mailauth::dkim {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<uint64_t> parse_number(std::string_view text) {
  if (text.empty() || text.size() > kMaxNumberDigits) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

// RFC 5322 3.6.8 field names: printable US-ASCII except ":".
bool valid_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == ':') return false;
  }
  return true;
}

Verdict perm(std::string reason) { return Verdict{Result::permerror, std::move(reason)}; }
Verdict neutral(std::string reason) { return Verdict{Result::neutral, std::move(reason)}; }

// Parses the tags into `out.signature`; returns the first problem.
std::optional<Verdict> fill(const TagList& tags, SignatureParse& out) {
  Signature& sig = out.signature;
  // Identity fields first, so that every error below can still be reported with them.
  if (const Tag* d = tags.find("d")) sig.domain = lowered(d->value);
  if (const Tag* s = tags.find("s")) sig.selector = std::string(s->value);
  if (const Tag* a = tags.find("a")) out.algorithm_text = lowered(a->value);
  if (const Tag* b = tags.find("b")) sig.b_text = strip_fws(b->value);

  for (const char* required : {"v", "a", "b", "bh", "d", "h", "s"}) {
    if (tags.find(required) == nullptr) {
      return perm(std::string("missing required tag ") + required + "=");
    }
  }
  if (tags.find("v")->value != "1") return neutral("unsupported version v=" +
                                                   std::string(tags.find("v")->value));
  if (out.algorithm_text == "rsa-sha256") {
    sig.algorithm = Algorithm::rsa_sha256;
  } else if (out.algorithm_text == "ed25519-sha256") {
    sig.algorithm = Algorithm::ed25519_sha256;
  } else if (out.algorithm_text == "rsa-sha1") {
    sig.algorithm = Algorithm::rsa_sha1;
  } else {
    return neutral("unsupported algorithm a=" + out.algorithm_text);
  }

  auto b = encoding::base64_decode(sig.b_text);
  if (!b || b->empty()) return perm("b= is not valid base64");
  sig.signature = std::move(*b);
  auto bh = encoding::base64_decode(strip_fws(tags.find("bh")->value));
  if (!bh || bh->empty()) return perm("bh= is not valid base64");
  sig.body_hash = std::move(*bh);

  if (!valid_domain_name(sig.domain)) return perm("d= is not a domain name");
  if (!valid_domain_name(sig.selector)) return perm("s= is not a valid selector");

  if (const Tag* c = tags.find("c")) {
    const std::string value = lowered(c->value);
    const std::size_t slash = value.find('/');
    const std::string head = value.substr(0, slash);
    const std::string body = slash == std::string::npos ? "simple" : value.substr(slash + 1);
    auto canon = [](const std::string& v) -> std::optional<Canon> {
      if (v == "simple") return Canon::simple;
      if (v == "relaxed") return Canon::relaxed;
      return std::nullopt;
    };
    const auto h = canon(head);
    const auto bc = canon(body);
    if (!h || !bc) return neutral("unsupported canonicalization c=" + value);
    sig.header_canon = *h;
    sig.body_canon = *bc;
  }

  const auto names = split_list(tags.find("h")->value, ':');
  if (names.size() > kMaxSignedHeaders) {
    return perm("h= lists more than " + std::to_string(kMaxSignedHeaders) + " fields");
  }
  bool from_signed = false;
  for (std::string_view name : names) {
    if (!valid_field_name(name)) return perm("h= contains an invalid field name");
    if (iequals(name, "from")) from_signed = true;
    sig.signed_headers.emplace_back(name);
  }
  if (!from_signed) return perm("h= does not include From");  // RFC 6376 5.4

  if (const Tag* i = tags.find("i")) {
    sig.identity = std::string(i->value);
    if (sig.identity.find('@') == std::string::npos) return perm("i= has no \"@\"");
    if (!identity_within(sig.identity, sig.domain, false)) {
      return perm("i= is not within d=");
    }
  } else {
    sig.identity = "@" + sig.domain;
  }

  if (const Tag* l = tags.find("l")) {
    sig.body_length = parse_number(l->value);
    if (!sig.body_length) return perm("l= is not a number");
  }
  if (const Tag* q = tags.find("q")) {
    bool dns_txt = false;
    for (std::string_view method : split_list(q->value, ':')) {
      if (iequals(method, "dns/txt")) dns_txt = true;
    }
    if (!dns_txt) return neutral("unsupported query method q=" + std::string(q->value));
  }
  if (const Tag* t = tags.find("t")) {
    sig.timestamp = parse_number(t->value);
    if (!sig.timestamp) return perm("t= is not a number");
  }
  if (const Tag* x = tags.find("x")) {
    sig.expiration = parse_number(x->value);
    if (!sig.expiration) return perm("x= is not a number");
    if (sig.timestamp && *sig.expiration <= *sig.timestamp) return perm("x= is not after t=");
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(Algorithm a) {
  switch (a) {
    case Algorithm::rsa_sha256: return "rsa-sha256";
    case Algorithm::ed25519_sha256: return "ed25519-sha256";
    case Algorithm::rsa_sha1: return "rsa-sha1";
  }
  return "";
}

const char* to_string(Canon c) { return c == Canon::simple ? "simple" : "relaxed"; }

SignatureParse parse_signature(std::string_view field_value) {
  SignatureParse out;
  const TagList tags = parse_tag_list(field_value);
  if (!tags.ok()) {
    out.error = perm(tags.error);
    return out;
  }
  out.error = fill(tags, out);
  return out;
}

std::optional<Verdict> check_times(const Signature& sig, int64_t now, int64_t skew) {
  // Compare in unsigned space only after ruling out negative bounds (numbers are < 10^15).
  if (sig.timestamp && static_cast<int64_t>(*sig.timestamp) > now + skew) {
    return Verdict{Result::policy, "t= is in the future"};
  }
  if (sig.expiration && static_cast<int64_t>(*sig.expiration) + skew < now) {
    return Verdict{Result::policy, "signature expired (x=)"};
  }
  return std::nullopt;
}

std::string key_name(const Signature& sig) { return sig.selector + "._domainkey." + sig.domain; }

bool valid_domain_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxDomainBytes) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

bool identity_within(std::string_view identity, std::string_view domain, bool strict) {
  const std::size_t at = identity.rfind('@');
  const std::string_view idomain =
      at == std::string_view::npos ? identity : identity.substr(at + 1);
  if (iequals(idomain, domain)) return true;
  if (strict || idomain.size() <= domain.size()) return false;
  const std::string_view tail = idomain.substr(idomain.size() - domain.size());
  return idomain[idomain.size() - domain.size() - 1] == '.' && iequals(tail, domain);
}

}  // namespace postern::mailauth::dkim
