#include "router/bounce.h"

#include "common/mime/headers.h"
#include "router/dsn.h"
#include "router/routes.h"

namespace postern::router {

RecipientRecord route_recipient(const config::Router& router, std::string address) {
  RecipientRecord r;
  r.set_domain(domain_of(address));
  if (auto destination = route_domain(router.routes, r.domain())) {
    r.set_destination(*destination);
    r.set_status(postern::v1::queue::RECIPIENT_STATUS_PENDING);
  } else {
    r.set_status(postern::v1::queue::RECIPIENT_STATUS_FAILED);
    r.set_dsn_status("5.1.2");
    r.set_last_reply("550 5.1.2 No route to the recipient's domain");
  }
  r.set_address(std::move(address));
  return r;
}

std::string remote_mta_host(std::string_view remote) {
  const std::size_t bracket = remote.find('[');
  if (bracket == std::string_view::npos || bracket == 0) return {};
  return std::string(remote.substr(0, bracket));
}

std::optional<NewMessage> make_bounce(const MessageRecord& original, std::string_view original_body,
                                      const std::vector<const RecipientRecord*>& failed,
                                      const config::Config& config, QueueIdGenerator& ids,
                                      SysTime now) {
  const std::string& sender = original.envelope().mail_from();
  if (sender.empty() || failed.empty()) return std::nullopt;

  RecipientRecord to = route_recipient(config.router, sender);
  if (to.status() != postern::v1::queue::RECIPIENT_STATUS_PENDING) return std::nullopt;

  DsnInput in;
  in.reporting_mta = config.internet.hostname;
  in.dsn_id = ids.next();
  in.original_queue_id = original.queue_id();
  in.original_sender = sender;
  in.original_envid = original.envelope().envid();
  in.arrival = from_unix_ms(original.received_unix_ms());
  in.now = now;
  in.original_headers = mime::split_header_block(original_body).headers;
  for (const RecipientRecord* r : failed) {
    DsnRecipient d;
    d.address = r->address();
    d.status = r->dsn_status().empty() ? "5.0.0" : r->dsn_status();
    d.diagnostic = r->last_reply();
    d.remote_mta = remote_mta_host(r->remote());
    if (r->last_attempt_unix_ms() != 0) d.last_attempt = from_unix_ms(r->last_attempt_unix_ms());
    in.recipients.push_back(std::move(d));
  }
  Dsn dsn = build_dsn(in);

  NewMessage m;
  m.meta.set_queue_id(in.dsn_id);
  auto* envelope = m.meta.mutable_envelope();
  envelope->set_mail_from("");
  envelope->set_smtputf8(dsn.smtputf8);
  envelope->set_body(dsn.eight_bit ? postern::v1::BODY_TYPE_8BITMIME
                                   : postern::v1::BODY_TYPE_UNSPECIFIED);
  m.meta.mutable_client()->set_edge_node("dsn");
  m.meta.set_received_unix_ms(to_unix_ms(now));
  m.meta.set_size(dsn.message.size());
  m.meta.set_eight_bit(dsn.eight_bit);
  m.meta.set_is_dsn(true);
  *m.meta.add_recipients() = std::move(to);
  m.body = std::move(dsn.message);
  return m;
}

}  // namespace postern::router
