// Outcomes of delivery attempts: the reply class decides the kind, never the text.
//
// Synthesized replies (local or network causes) and their RFC 3463 codes, in one place:
//   451 4.4.1  no answer / connection refused        451 4.4.2  connection lost, timeout
//   451 4.4.3  DNS temporary failure (RFC 5321 5.1)   451 4.4.4  no address for the host
//   550 5.1.2  recipient domain does not exist (NXDOMAIN)
//   550 5.4.4  no MX and no address: unroutable     556 5.1.10 null MX (RFC 7505 3.3)
//   451 4.7.4  TLS or AUTH required but not offered ("security features not supported",
//              as Postfix's smtp(8) does for "TLS is required, but was not offered")
//   451 4.7.5  TLS handshake failed ("cryptographic failure")
//   451 4.7.8  relay host refused our credentials (RFC 4954's 5.7.8, made temporary so a
//              configuration error defers mail instead of bouncing it)
//   451 4.3.0  local (maildir) write failure        550 5.1.3  recipient unusable as maildir name
//   451 4.7.0  relay credentials (relay.credentials) could not be read from the keystore
#pragma once

#include <string>
#include <vector>

#include "router/delivery.h"

namespace postern::router::delivery {

// 2xx → delivered, 4xx → temporary, 5xx → permanent.
Outcome outcome_from_reply(const smtp::Reply& reply, std::string remote);
// The same outcome for every recipient.
std::vector<Outcome> for_all(std::size_t recipients, const Outcome& outcome);

}  // namespace postern::router::delivery
