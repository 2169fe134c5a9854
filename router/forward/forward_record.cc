#include "router/forward/forward_record.h"

#include <openssl/evp.h>

#include <algorithm>

#include "router/forward/gateway_choice.h"
#include "router/intake.h"
#include "router/routes.h"

namespace postern::router::forward {
namespace {

using postern::v1::ForwardHeader;
using postern::v1::queue::RECIPIENT_STATUS_PENDING;

constexpr std::size_t kMaxNameBytes = 255;     // node and destination names
constexpr std::size_t kMaxReplyBytes = 4096;   // a carried last_reply

bool printable(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool valid_name(std::string_view s) {
  return !s.empty() && s.size() <= kMaxNameBytes && printable(s);
}

// Each field "DKIM-Signature:" ... ending in CRLF; folded continuation lines allowed.
bool valid_signatures(std::string_view fields) {
  if (fields.empty() || fields.size() > kMaxSignatureBytes) return false;
  if (fields.size() < 2 || fields.substr(fields.size() - 2) != "\r\n") return false;
  constexpr std::string_view kName = "dkim-signature:";
  std::size_t pos = 0;
  bool at_field_start = true;
  while (pos < fields.size()) {
    const std::size_t end = fields.find("\r\n", pos);
    if (end == std::string_view::npos) return false;
    std::string_view line = fields.substr(pos, end - pos);
    for (char c : line) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
    }
    const bool continuation = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    if (!continuation) {
      if (line.size() < kName.size()) return false;
      for (std::size_t i = 0; i < kName.size(); ++i) {
        if (static_cast<char>(std::tolower(static_cast<unsigned char>(line[i]))) != kName[i])
          return false;
      }
    } else if (at_field_start) {
      return false;
    }
    at_field_start = false;
    pos = end + 2;
  }
  return true;
}

void add_length_prefixed(std::string& out, std::string_view s) {
  const uint64_t n = s.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out.append(s);
}

}  // namespace

ForwardHeader make_forward_header(const MessageRecord& record,
                                  const std::vector<std::string>& recipients,
                                  std::string_view origin_node, uint64_t body_size) {
  ForwardHeader h;
  h.set_origin_node(std::string(origin_node));
  h.set_origin_queue_id(record.queue_id());
  *h.mutable_envelope() = record.envelope();
  h.mutable_envelope()->clear_recipients();
  *h.mutable_client() = record.client();
  h.set_received_unix_ms(record.received_unix_ms());
  h.set_size(body_size);
  h.set_eight_bit(record.eight_bit());
  h.set_is_dsn(record.is_dsn());
  h.set_signing_state(static_cast<postern::v1::ForwardSigningState>(record.signing_state()));
  if (record.signing_state() == postern::v1::queue::SIGNING_STATE_SIGNED) {
    h.set_dkim_signatures(record.dkim_signatures());
  }
  h.set_signing_note(record.signing_note());
  h.set_hops(1);
  // Each job recipient matched to the first unused pending record with that address (an
  // address may appear twice in an envelope).
  std::vector<bool> used(static_cast<std::size_t>(record.recipients_size()), false);
  for (const std::string& address : recipients) {
    auto* f = h.add_recipients();
    f->set_address(address);
    for (int i = 0; i < record.recipients_size(); ++i) {
      const RecipientRecord& r = record.recipients(i);
      if (used[static_cast<std::size_t>(i)] || r.status() != RECIPIENT_STATUS_PENDING ||
          r.address() != address) {
        continue;
      }
      used[static_cast<std::size_t>(i)] = true;
      f->set_destination(r.destination());
      f->set_attempts(r.attempts());
      f->set_last_reply(r.last_reply().substr(0, kMaxReplyBytes));
      break;
    }
  }
  return h;
}

std::string_view body_to_forward(const MessageRecord& record, std::string_view message) {
  const std::string& sigs = record.dkim_signatures();
  if (record.signing_state() == postern::v1::queue::SIGNING_STATE_SIGNED && !sigs.empty() &&
      message.substr(0, sigs.size()) == sigs) {
    message.remove_prefix(sigs.size());
  }
  return message;
}

std::string validate_forward_header(const ForwardHeader& h, const config::Config& config) {
  if (!valid_name(h.origin_node())) return "invalid origin node";
  if (h.origin_node() == config.node.name) return "a router cannot forward to itself";
  if (!valid_name(h.origin_queue_id()) || h.origin_queue_id().size() > 64)
    return "invalid origin queue id";
  if (h.hops() != 1) return "hop limit: a forwarded message is never forwarded again";
  const auto& envelope = h.envelope();
  if (!valid_path(envelope.mail_from(), true)) return "invalid envelope sender";
  if (envelope.envid().size() > 100 || !valid_path(envelope.envid(), true)) return "invalid ENVID";
  if (h.recipients_size() == 0) return "no recipients";
  const auto limit = std::max<uint32_t>(config.edge.limits.max_recipients, 1000);
  if (static_cast<uint32_t>(h.recipients_size()) > limit) return "too many recipients";
  for (const auto& r : h.recipients()) {
    if (!valid_path(r.address(), false)) return "invalid recipient address";
    if (!r.destination().empty() && !valid_name(r.destination())) return "invalid destination name";
    if (r.last_reply().size() > kMaxReplyBytes) return "carried reply too long";
  }
  if (h.received_unix_ms() <= 0) return "missing arrival time";
  if (h.size() > max_submit_bytes(config)) return "message too large";
  switch (h.signing_state()) {
    case postern::v1::FORWARD_SIGNING_UNDECIDED:
    case postern::v1::FORWARD_SIGNING_NOT_SIGNED:
      if (!h.dkim_signatures().empty()) return "DKIM signatures without the SIGNED state";
      break;
    case postern::v1::FORWARD_SIGNING_SIGNED:
      if (!valid_signatures(h.dkim_signatures())) return "invalid DKIM-Signature fields";
      break;
    default:
      return "unknown signing state";
  }
  if (h.signing_note().size() > kMaxReplyBytes || !printable(h.signing_note()))
    return "invalid signing note";
  const auto& c = h.client();
  for (const std::string* s : {&c.address(), &c.helo(), &c.auth_user(), &c.edge_node(),
                               &c.listener()}) {
    if (s->size() > 512 || !printable(*s)) return "invalid client information";
  }
  return {};
}

std::string forward_key(const ForwardHeader& h) {
  std::string input;
  add_length_prefixed(input, h.origin_node());
  add_length_prefixed(input, h.origin_queue_id());
  for (const auto& r : h.recipients()) add_length_prefixed(input, r.address());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    // Not expected; the raw input is then the key (still unique, only longer).
    return input;
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

GatewayRecord gateway_record(const ForwardHeader& h, const config::Config& config,
                             std::string queue_id, SysTime now) {
  GatewayRecord out;
  MessageRecord& meta = out.meta;
  meta.set_queue_id(std::move(queue_id));
  *meta.mutable_envelope() = h.envelope();
  meta.mutable_envelope()->clear_recipients();
  *meta.mutable_client() = h.client();
  meta.set_received_unix_ms(h.received_unix_ms());
  meta.set_size(h.size());
  meta.set_eight_bit(h.eight_bit());
  meta.set_is_dsn(h.is_dsn());
  meta.set_signing_state(static_cast<postern::v1::queue::SigningState>(h.signing_state()));
  meta.set_dkim_signatures(h.dkim_signatures());
  meta.set_signing_note(h.signing_note());
  auto* from = meta.mutable_forwarded_from();
  from->set_node(h.origin_node());
  from->set_queue_id(h.origin_queue_id());
  from->set_forwarded_unix_ms(to_unix_ms(now));
  for (const auto& f : h.recipients()) {
    from->set_origin_attempts(std::max(from->origin_attempts(), f.attempts()));
    RecipientRecord* r = meta.add_recipients();
    r->set_address(f.address());
    r->set_domain(domain_of(f.address()));
    std::string destination = f.destination();
    if (!config.router.destinations.contains(destination)) {
      auto routed = route_domain(config.router.routes, r->domain());
      if (!routed) {
        out.refusal = "node " + config.node.name + " has no route for " + r->domain();
        return out;
      }
      destination = *routed;
    }
    const config::Destination& d = config.router.destinations.at(destination);
    if (!delivers_itself(d, config.node.name)) {
      out.refusal = "node " + config.node.name + " does not serve destination " + destination +
                    " (router.destinations." + destination + ".served_by)";
      return out;
    }
    r->set_destination(destination);
    if (f.attempts() > 0) {
      r->set_last_reply("forwarded by " + h.origin_node() + " after " +
                        std::to_string(f.attempts()) + " attempt(s) there: " + f.last_reply());
    }
  }
  return out;
}

}  // namespace postern::router::forward
