#include "edge/relay.h"

#include <algorithm>

namespace postern::edge {

bool is_local_recipient(const smtp::codec::Mailbox& rcpt,
                        const std::vector<std::string>& local_domains) {
  if (rcpt.domain.empty() || rcpt.is_literal()) return false;
  if (rcpt.local.find_first_of("%!@") != std::string::npos) return false;
  std::string domain = rcpt.domain;
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  for (char& c : domain) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return std::find(local_domains.begin(), local_domains.end(), domain) != local_domains.end();
}

}  // namespace postern::edge
