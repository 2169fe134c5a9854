#include "edge/policy/helo.h"

#include <algorithm>
#include <string>

namespace postern::edge::policy {

Facts helo_facts(const config::InboundScore& score, std::string_view helo_in,
                 const HeloContext& ctx) {
  Facts out;
  std::string helo(helo_in);
  for (char& c : helo) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (!helo.empty() && helo.back() == '.') helo.pop_back();
  const bool literal = !helo.empty() && helo.front() == '[';
  if (literal || helo.find('.') == std::string::npos) {
    out.push_back(make_fact(score, "helo_not_fqdn", Stage::helo, "HELO " + helo + " is not an FQDN"));
  }
  std::string mismatch;
  if (literal) {
    std::string inner = helo.substr(1, helo.size() >= 2 ? helo.size() - 2 : 0);
    if (inner.rfind("ipv6:", 0) == 0) inner = inner.substr(5);
    if (inner != ctx.client_ip) mismatch = "HELO " + helo + " is not the client's address";
  } else if (helo == ctx.our_hostname ||
             (ctx.local_domains != nullptr &&
              std::find(ctx.local_domains->begin(), ctx.local_domains->end(), helo) !=
                  ctx.local_domains->end())) {
    mismatch = "HELO " + helo + " claims to be us";
  } else if (!ctx.verified_name.empty() && helo != ctx.verified_name) {
    mismatch = "HELO " + helo + " differs from the verified name " + std::string(ctx.verified_name);
  }
  if (!mismatch.empty()) out.push_back(make_fact(score, "helo_mismatch", Stage::helo, mismatch));
  return out;
}

}  // namespace postern::edge::policy
