// The default relay rule (the full inbound relay controls come later):
//   - an authenticated client may send to any recipient;
//   - anyone else only to a local recipient: one whose domain (lower-case, no trailing dot,
//     as the codec returns it) is in internet.local_domains, whose domain is not an address
//     literal, and whose local part holds no '%', '!' or '@' (source-routing tricks such as
//     "user%elsewhere@local" that a downstream MTA might still route away).
// Never an open relay: anything not clearly local is refused with 554 5.7.1.
#pragma once

#include <string>
#include <vector>

#include "common/smtp/codec/address.h"

namespace postern::edge {

bool is_local_recipient(const smtp::codec::Mailbox& rcpt,
                        const std::vector<std::string>& local_domains);

}  // namespace postern::edge
