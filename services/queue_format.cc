#include "services/queue_format.h"

#include <cstdio>
#include <ctime>

namespace postern::services {
namespace {

const char* state_name(postern::v1::RecipientState state) {
  switch (state) {
    case postern::v1::RECIPIENT_STATE_PENDING: return "pending";
    case postern::v1::RECIPIENT_STATE_DELIVERED: return "delivered";
    case postern::v1::RECIPIENT_STATE_FAILED: return "failed";
    default: return "unknown";
  }
}

std::string pad_right(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string pad_left(std::string s, size_t width) {
  if (s.size() < width) s.insert(0, width - s.size(), ' ');
  return s;
}

constexpr size_t kIdWidth = 26;
constexpr size_t kSizeWidth = 10;

}  // namespace

std::string format_unix_time(int64_t unix_seconds) {
  if (unix_seconds <= 0) return "-";
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return "-";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

std::string format_message(const postern::v1::QueuedMessage& m, bool detailed) {
  std::string out = pad_right(m.queue_id(), kIdWidth) + " " +
                    pad_left(std::to_string(m.size()), kSizeWidth) + "  " +
                    pad_right(format_unix_time(m.received_unix()), 22) + "  " +
                    (m.mail_from().empty() ? "<>" : m.mail_from()) + "\n";
  if (detailed) {
    out += "    client: " + (m.client_address().empty() ? "-" : m.client_address()) +
           ", authenticated: " + (m.auth_user().empty() ? "no" : m.auth_user()) + "\n";
  }
  if (!m.forwarded_from().empty()) out += "    forwarded from " + m.forwarded_from() + "\n";
  for (const auto& r : m.recipients()) {
    out += "    " + r.address() + "  " + state_name(r.state()) +
           ", destination " + (r.destination().empty() ? "-" : r.destination()) + ", " +
           std::to_string(r.attempts()) + (r.attempts() == 1 ? " attempt" : " attempts");
    if (r.state() == postern::v1::RECIPIENT_STATE_PENDING) {
      out += ", next " + format_unix_time(r.next_attempt_unix());
      if (!r.via().empty()) out += ", via " + r.via();
    }
    out += "\n";
    if (!r.last_reply().empty()) {
      // A multi-line reply keeps its lines, each indented under the recipient.
      std::string_view rest = r.last_reply();
      while (!rest.empty()) {
        const size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out += "        (" + std::string(line) + ")\n";
        if (nl == std::string_view::npos) break;
        rest.remove_prefix(nl + 1);
      }
    }
  }
  return out;
}

std::string format_queue_list(const postern::v1::ListQueueReply& reply) {
  if (reply.messages().empty()) return "Mail queue is empty\n";
  std::string out = pad_right("-Queue ID-", kIdWidth) + " " + pad_left("--Size--", kSizeWidth) +
                    "  " + pad_right("--Arrival Time (UTC)--", 20) + "  -Sender/Recipients-\n";
  uint64_t bytes = 0;
  for (const auto& m : reply.messages()) {
    out += format_message(m, /*detailed=*/false) + "\n";
    bytes += m.size();
  }
  const size_t n = static_cast<size_t>(reply.messages_size());
  out += "-- " + std::to_string((bytes + 1023) / 1024) + " Kbytes in " + std::to_string(n) +
         (n == 1 ? " Request.\n" : " Requests.\n");
  return out;
}

}  // namespace postern::services
