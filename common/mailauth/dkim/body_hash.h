// The DKIM body hash (RFC 6376 3.7 step 1, tag bh=): SHA-256 over the canonical body, or over
// its first l= octets. Shared by verification and by signing (which records the length it
// hashed as l= only if it chooses to).
//
// Contract: streaming (constant memory whatever the body size); no I/O, no exceptions.
// SHA-256 only: rsa-sha1 signatures are never verified (RFC 8301) nor produced.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/mailauth/dkim/canonicalize.h"

namespace postern::mailauth::dkim {

struct BodyHash {
  std::string digest;         // 32 octets
  uint64_t canonical_length;  // octets of the whole canonical body (not just what was hashed)
};

class BodyHasher {
 public:
  // `limit`: hash only the first `limit` canonical octets (l=); nullopt: all of them.
  BodyHasher(Canon canon, std::optional<uint64_t> limit);

  void update(std::string_view chunk);
  BodyHash finish();

 private:
  void consume(std::string_view canonical);

  BodyCanonicalizer canon_;
  std::optional<uint64_t> limit_;
  uint64_t length_ = 0;
  std::string scratch_;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

// One-shot body hash of a whole body.
BodyHash body_hash(Canon canon, std::optional<uint64_t> limit, std::string_view body);

// SHA-256 of `bytes` (32 octets): the digest of the header hash input that gets signed.
std::string sha256(std::string_view bytes);

}  // namespace postern::mailauth::dkim
