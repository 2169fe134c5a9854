#include "edge/policy/recipients.h"

namespace postern::edge::policy {

using smtp::Reply;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

bool plain_local_part(const std::string& s) {
  if (s.empty() || s.size() > 64 || s.front() == '.' || s.back() == '.') return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return s.find("..") == std::string::npos;
}

}  // namespace

RecipientDirectory::RecipientDirectory(const config::Directory& directory,
                                       const std::vector<std::string>& local_domains) {
  for (const auto& u : directory.users) {
    for (const auto& a : u.addresses) entries_.emplace(lower(a), Entry{Kind::user, u.name});
  }
  for (const auto& g : directory.groups) {
    const std::string local = lower(g.name);
    if (!plain_local_part(local)) continue;
    for (const auto& d : local_domains) entries_.emplace(local + "@" + d, Entry{Kind::group, g.name});
  }
}

std::vector<RecipientDirectory::Entry> RecipientDirectory::find(const std::string& address) const {
  std::vector<Entry> out;
  auto [first, last] = entries_.equal_range(lower(address));
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

CheckResult check_recipient(const config::InboundRecipients& controls,
                            const RecipientDirectory& directory,
                            const smtp::codec::Mailbox& rcpt) {
  const std::string address = rcpt.to_string();
  if (lower(rcpt.local) == "postmaster") return CheckResult::permit("postmaster");
  const auto found = directory.find(address);
  if (found.size() > 1) {
    return CheckResult::reject(
        Reply(550, {5, 1, 4}, "Recipient address " + address + " is ambiguous"),
        address + " matches " + std::to_string(found.size()) + " directory entries");
  }
  if (found.size() == 1) {
    if (found[0].kind == RecipientDirectory::Kind::group) {
      if (controls.deny_groups) {
        return CheckResult::reject(
            Reply(550, {5, 7, 1}, "Mail to group " + address + " is not accepted"),
            address + " is the group " + found[0].name + " (recipients.deny_groups)");
      }
      return CheckResult::permit(address + " is the group " + found[0].name);
    }
    return CheckResult::permit(address + " is the user " + found[0].name);
  }
  if (controls.verify_local) {
    return CheckResult::reject(
        Reply(550, {5, 1, 1}, "Recipient address rejected: " + address + ": user unknown"),
        address + " not in the directory");
  }
  return CheckResult::dunno();
}

}  // namespace postern::edge::policy
