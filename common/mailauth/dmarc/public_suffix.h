// The RFC 7489 3.2 Organizational Domain through the Public Suffix List (libpsl).
//
// Contract: PublicSuffixList is immutable after construction and safe to share between
// threads (libpsl lookups do not modify the context). organizational_domain() is a pure
// function of the list and its argument.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct psl_ctx_st;

namespace postern::mailauth::dmarc {

// Debian's `publicsuffix` package.
inline constexpr std::string_view kDebianPslFile = "/usr/share/publicsuffix/public_suffix_list.dat";

class PublicSuffixList {
 public:
  // The list in `path` (the .dat text or libpsl's .dafsa form); nullopt when it cannot be
  // loaded (missing file, unreadable, empty), so a configured path that is wrong is an error
  // the caller reports rather than a silent fallback.
  static std::optional<PublicSuffixList> load(const std::string& path);
  // The system list: kDebianPslFile when it loads, else the list compiled into libpsl.
  // nullopt only when neither exists.
  static std::optional<PublicSuffixList> system();

  // RFC 7489 3.2: the public suffix of `domain` plus one label, lower-case, no trailing dot;
  // "" when `domain` is itself a public suffix (or empty, or starts with a dot). Names under a
  // TLD the list does not know are treated as under a one-label suffix ("*" rule), as the
  // PSL algorithm prescribes. UTF-8 labels are accepted as well as A-labels.
  std::string organizational_domain(std::string_view domain) const;

 private:
  struct Deleter {
    void operator()(psl_ctx_st*) const;
  };
  PublicSuffixList(psl_ctx_st* ctx, bool owned);
  std::shared_ptr<psl_ctx_st> ctx_;
};

}  // namespace postern::mailauth::dmarc
