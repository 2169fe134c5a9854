#include "common/mailauth/dmarc/public_suffix.h"

#include <libpsl.h>

#include "common/mailauth/dmarc/text.h"

namespace postern::mailauth::dmarc {

void PublicSuffixList::Deleter::operator()(psl_ctx_st* ctx) const { psl_free(ctx); }

PublicSuffixList::PublicSuffixList(psl_ctx_st* ctx, bool owned)
    : ctx_(owned ? std::shared_ptr<psl_ctx_st>(ctx, Deleter{})
                 : std::shared_ptr<psl_ctx_st>(ctx, [](psl_ctx_st*) {})) {}

std::optional<PublicSuffixList> PublicSuffixList::load(const std::string& path) {
  psl_ctx_t* ctx = psl_load_file(path.c_str());
  if (ctx == nullptr) return std::nullopt;
  // A .dat file without rules is useless; a .dafsa file reports -1 (count unknown).
  if (psl_suffix_count(ctx) == 0) {
    psl_free(ctx);
    return std::nullopt;
  }
  return PublicSuffixList(ctx, true);
}

std::optional<PublicSuffixList> PublicSuffixList::system() {
  if (auto list = load(std::string(kDebianPslFile))) return list;
  // psl_builtin() is owned by libpsl and must not be freed.
  if (const psl_ctx_t* builtin = psl_builtin()) {
    return PublicSuffixList(const_cast<psl_ctx_t*>(builtin), false);
  }
  return std::nullopt;
}

std::string PublicSuffixList::organizational_domain(std::string_view domain) const {
  if (domain.empty() || domain.front() == '.' || domain.size() > 253) return {};
  // libpsl expects lower-case input; ASCII folding is enough for DNS names and A-labels.
  const std::string name = text::normalise_domain(domain);
  const char* registrable = psl_registrable_domain(ctx_.get(), name.c_str());
  return registrable == nullptr ? std::string() : std::string(registrable);
}

}  // namespace postern::mailauth::dmarc
