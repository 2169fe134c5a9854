// Recipient controls (edge.inbound.recipients, Domino's "Verify that local domain recipients
// exist in the Domino Directory"): who exists in `directory`, as a pure index and check.
//
// Contract: a local-domain recipient resolves, case-insensitively, against
//   - every user address (the full address), and
//   - every group name as local part at every local domain ("sales@example.org" for the
//     group "sales"; names that are not valid local parts never match).
// Results:
//   found a user                                   -> permit
//   found a group, recipients.deny_groups          -> 550 5.7.1 "Mail to groups not accepted"
//   found a group                                  -> permit
//   more than one entry (e.g. a user address and a group of the same name)
//                                                  -> 550 5.1.4 ambiguous
//   nothing, verify_local                          -> 550 5.1.1 unknown user
//   nothing, not verify_local                      -> dunno
// "postmaster" at a local domain always passes (RFC 5321 4.5.1). Non-local recipients are
// not looked at (relay.h decides about them).
//
// SECURITY: the recipient is client input, only compared (lower-cased) with directory
// entries; replies quote only the address the client sent. They do tell whether it exists, is
// ambiguous or is a group (what Domino admins expect), so verify_local makes the directory
// probeable by RCPT much like VRFY would: one reason it is off by default (refusals count
// towards edge.limits.error_limit).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/smtp/codec/address.h"
#include "edge/policy/check.h"

namespace postern::edge::policy {

class RecipientDirectory {
 public:
  RecipientDirectory(const config::Directory& directory,
                     const std::vector<std::string>& local_domains);

  enum class Kind { user, group };
  struct Entry {
    Kind kind;
    std::string name;  // user or group name
  };
  // Every entry for "local@domain" (lower-cased), usually zero or one.
  std::vector<Entry> find(const std::string& address) const;

 private:
  std::multimap<std::string, Entry> entries_;
};

CheckResult check_recipient(const config::InboundRecipients& controls,
                            const RecipientDirectory& directory,
                            const smtp::codec::Mailbox& rcpt);

}  // namespace postern::edge::policy
