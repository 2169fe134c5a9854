// Human-readable one-liners about a Config: the check-config summary and the "ready" lines.
// Pure functions; the output contains no secrets (no passwords, no tokens).
#pragma once

#include <string>

#include "common/config/config.h"

namespace postern::services {

// "mx 127.0.0.1:2525 (starttls)", "submission 127.0.0.1:2587 (starttls, auth required)".
std::string describe_listener(const config::Listener& listener);

// "maildir maildir", "smtp direct", "smtp relay via mail.isp:587".
std::string describe_destination(const config::Destination& destination);

// Several lines summarizing what the file configures, for `postern check-config`.
std::string summarize(const config::Config& config);

}  // namespace postern::services
