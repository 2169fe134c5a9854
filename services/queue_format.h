// Text output of `posternctl queue list|show`, in the spirit of Postfix's `postqueue -p`:
// one header line per message (queue id, size, arrival time, sender), then one line per
// recipient (state, destination, attempts, next attempt) and its last reply, the answer to
// "why does it wait". Pure functions; times are printed in UTC with a trailing "Z" so output
// does not depend on the machine's time zone.
#pragma once

#include <cstdint>
#include <string>

#include "postern/v1/queue_admin.pb.h"

namespace postern::services {

std::string format_unix_time(int64_t unix_seconds);  // "2026-11-29 13:56:29Z"; "-" for 0

// The whole listing, ending with "-- N Kbytes in M Requests." or "Mail queue is empty".
std::string format_queue_list(const postern::v1::ListQueueReply& reply);

// One message; `detailed` adds the client address and authenticated user (queue show).
std::string format_message(const postern::v1::QueuedMessage& message, bool detailed);

}  // namespace postern::services
