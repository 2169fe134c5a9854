// The boundary between the router's queue/scheduler and the ways mail leaves it.
//
// Contract: deliver() attempts one message to a group of recipients that share a destination
// (and, for SMTP, a domain), and returns exactly one Outcome per recipient, in order. It never
// throws for remote or network trouble: those are Outcome::temporary; permanent refusals are
// Outcome::permanent. The scheduler alone decides retries, DSNs and deletion.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "common/config/config.h"
#include "common/dns/resolver.h"
#include "common/smtp/reply.h"

namespace postern::v1::queue {
class MessageRecord;  // postern/v1/queue_record.pb.h; only forwarding reads it
}  // namespace postern::v1::queue

namespace postern::router {

namespace signing {
class KeystoreClient;
}  // namespace signing

struct DeliveryJob {
  std::string queue_id;
  std::string mail_from;                // "" = null sender
  std::vector<std::string> recipients;  // all routed to `destination`, same domain for SMTP
  std::string domain;                   // recipients' domain (lower-case)
  const config::Destination* destination = nullptr;
  std::shared_ptr<const std::string> message;  // RFC 5322 bytes, CRLF, not dot-stuffed
  bool smtputf8 = false;
  bool eight_bit = false;
  // The queued message this job is part of (the scheduler's copy, valid while the job runs).
  // Forwarding to a gateway (router/forward/) sends what it needs from it.
  const postern::v1::queue::MessageRecord* record = nullptr;
};

struct Outcome {
  enum class Kind { delivered, temporary, permanent };
  Kind kind = Kind::temporary;
  smtp::Reply reply;        // remote reply, or a synthesized one for local/network causes
  std::string remote;       // "mx.example.com[192.0.2.1]:25" or maildir path, for logs/DSN
};

class Deliverer {
 public:
  virtual ~Deliverer() = default;
  virtual boost::asio::awaitable<std::vector<Outcome>> deliver(const DeliveryJob& job) = 0;
};

// What deliverers share: the executor they run on (the router's delivery io_context, one
// thread), its resolver, and the node's config (HELO name, data_dir for maildirs).
struct DeliveryContext {
  boost::asio::any_io_executor executor;
  dns::Resolver* resolver = nullptr;
  const config::Config* config = nullptr;
  // Relay credentials named by relay.credentials are read from here (nullptr: none configured).
  signing::KeystoreClient* keystore = nullptr;
};

// One deliverer per destination, chosen by its kind (smtp direct/relay, maildir).
// Implemented in router/delivery/.
std::unique_ptr<Deliverer> make_deliverer(const config::Destination& destination,
                                          const DeliveryContext& context);

}  // namespace postern::router
