#include "common/mailauth/dkim/body_hash.h"

#include <algorithm>

namespace postern::mailauth::dkim {

BodyHasher::BodyHasher(Canon canon, std::optional<uint64_t> limit)
    : canon_(canon), limit_(limit), ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
  // Allocation failure in OpenSSL is not recoverable input-wise; an unusable context makes
  // finish() return an empty digest, which never matches any bh=.
  if (ctx_ && EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) ctx_.reset();
}

void BodyHasher::consume(std::string_view canonical) {
  uint64_t take = canonical.size();
  if (limit_) take = std::min<uint64_t>(take, *limit_ > length_ ? *limit_ - length_ : 0);
  if (take > 0 && ctx_) EVP_DigestUpdate(ctx_.get(), canonical.data(), take);
  length_ += canonical.size();
}

void BodyHasher::update(std::string_view chunk) {
  scratch_.clear();
  canon_.update(chunk, scratch_);
  consume(scratch_);
}

BodyHash BodyHasher::finish() {
  scratch_.clear();
  canon_.finish(scratch_);
  consume(scratch_);
  BodyHash out{{}, length_};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (ctx_ && EVP_DigestFinal_ex(ctx_.get(), md, &n) == 1) {
    out.digest.assign(reinterpret_cast<const char*>(md), n);
  }
  return out;
}

BodyHash body_hash(Canon canon, std::optional<uint64_t> limit, std::string_view body) {
  BodyHasher h(canon, limit);
  h.update(body);
  return h.finish();
}

std::string sha256(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(md), n);
}

}  // namespace postern::mailauth::dkim
