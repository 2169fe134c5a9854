// Delivery over SMTP for one `smtp` destination: direct (MX) or through relay hosts.
//
// Contract (router/delivery.h): one Outcome per recipient, in order; never throws for remote
// or network trouble. All recipients of a job share one transaction. Policy:
//  * direct: MX hosts by preference (random among equals), the domain itself when it has no
//    MX, null MX / NXDOMAIN permanent, DNS trouble temporary (mx_plan.h). relay: relay.hosts
//    in order. Each host's addresses (A, then AAAA) are tried until one takes the transaction;
//    a host that cannot be reached, greets with an error, or fails TLS/AUTH policy, leads to
//    the next; when all fail, the last failure is the (temporary) outcome.
//  * TLS: direct `opportunistic` (STARTTLS when offered; on a failed handshake reconnect
//    without TLS when fallback_plain, else temporary 4.7.5), `required` (not offered: 4.7.4;
//    failed: 4.7.5), `none`. relay `starttls` behaves like `required`, `implicit` handshakes
//    at connect (port 465), `none`.
//  * AUTH (relay): `required` (not offered: 4.7.4; refused: 4.7.8, both temporary),
//    `enabled` (when offered; refused is the same temporary failure), `disabled`. With
//    relay.credentials the username and password are the keystore secret of that name, read
//    (KeystoreClient::get_secret) when a session needs to AUTH and cached for
//    Options::credentials_ttl; when the keystore cannot give it, every recipient gets a
//    temporary 451 4.7.0 (no other host is tried: they would all need the same secret).
//    SECURITY: the password is never logged nor put in a reply text.
//  * Connection reuse: idle connections per (host, address, port, policy) for
//    Options::idle_timeout, verified with RSET, at most max_messages_per_connection
//    transactions each. At most max_connections deliveries of this destination hold a
//    connection at once; further ones wait in FIFO order.
// The outcome codes are listed in outcomes.h. Runs on one executor (the router's delivery
// io_context); deliver() may run concurrently from many coroutines on it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "common/config/config.h"
#include "common/dns/resolver.h"
#include "common/smtp/client/connection.h"
#include "router/delivery.h"
#include "router/delivery/connection_pool.h"
#include "router/delivery/fair_semaphore.h"
#include "router/signing/keystore_client.h"

namespace postern::router::delivery {

class SmtpDeliverer final : public Deliverer {
 public:
  struct Options {
    smtp::client::Timeouts timeouts;                // RFC 5321 defaults
    std::chrono::milliseconds idle_timeout = std::chrono::seconds(5);
    // Where relay.credentials are read (not owned; required when they are configured).
    signing::KeystoreClient* keystore = nullptr;
    std::chrono::milliseconds credentials_ttl = std::chrono::seconds(60);
  };

  SmtpDeliverer(boost::asio::any_io_executor executor, dns::Resolver& resolver,
                std::string helo_name, std::shared_ptr<boost::asio::ssl::context> tls,
                config::SmtpDestination destination, Options options);
  SmtpDeliverer(boost::asio::any_io_executor executor, dns::Resolver& resolver,
                std::string helo_name, std::shared_ptr<boost::asio::ssl::context> tls,
                config::SmtpDestination destination)
      : SmtpDeliverer(std::move(executor), resolver, std::move(helo_name), std::move(tls),
                      std::move(destination), Options{}) {}

  boost::asio::awaitable<std::vector<Outcome>> deliver(const DeliveryJob& job) override;

  std::size_t idle_connections() const { return pool_.idle(); }

 private:
  struct Nexthop {
    std::string host;  // name for SNI/logs
    uint16_t port;
  };
  struct Attempt;

  boost::asio::awaitable<std::vector<Outcome>> deliver_to(const DeliveryJob& job,
                                                          std::vector<Nexthop> hops,
                                                          bool implicit_mx);
  boost::asio::awaitable<Attempt> attempt(const DeliveryJob& job, const Nexthop& hop,
                                          const boost::asio::ip::tcp::endpoint& endpoint);
  boost::asio::awaitable<Attempt> open_session(const Nexthop& hop,
                                               const boost::asio::ip::tcp::endpoint& endpoint,
                                               bool allow_tls);
  // The relay AUTH username and password: from config, or the keystore secret (cached).
  boost::asio::awaitable<signing::SecretResult> relay_credentials();

  boost::asio::any_io_executor executor_;
  dns::Resolver& resolver_;
  std::string helo_name_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  config::SmtpDestination destination_;
  Options options_;
  FairSemaphore limit_;
  ConnectionPool pool_;
  std::mt19937 random_;
  std::optional<signing::SecretResult> secret_;  // cached keystore secret
  std::chrono::steady_clock::time_point secret_expires_{};
};

}  // namespace postern::router::delivery
