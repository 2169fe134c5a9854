#include "router/delivery/smtp_deliverer.h"

#include <boost/asio/ip/address.hpp>

#include "common/log/log.h"
#include "common/smtp/client/auth.h"
#include "router/delivery/mx_plan.h"
#include "router/delivery/outcomes.h"

namespace postern::router::delivery {

namespace asio = boost::asio;
using asio::ip::tcp;
using smtp::Reply;
using smtp::client::Connection;
using smtp::client::StepResult;

struct SmtpDeliverer::Attempt {
  std::unique_ptr<Connection> connection;  // open_session: ready for a transaction
  bool done = false;                       // outcomes are final: try no other host
  std::vector<Outcome> outcomes;
  Outcome failure;                         // !done: why this host did not take the mail
  bool tls_failed = false;                 // STARTTLS refused or handshake failed
};

namespace {

Outcome temporary(Reply reply, std::string remote) {
  Outcome o;
  o.kind = Outcome::Kind::temporary;
  o.reply = std::move(reply);
  o.remote = std::move(remote);
  return o;
}

// A step that did not succeed, as a temporary outcome for this host: a failure's synthesized
// reply (4.4.x network, 4.7.5 TLS) is used as is; a server reply of any class becomes 451
// with `status`, quoting it (a 5xx from one host is no verdict on the domain: try the next).
Outcome step_failure(const StepResult& step, smtp::EnhancedStatus status, const std::string& what,
                     const std::string& remote) {
  if (step.kind == StepResult::Kind::failed) return temporary(step.reply, remote);
  return temporary(Reply(451, status, what + " (" + remote + "): " + step.reply.to_string()),
                   remote);
}

std::string nexthop_key(const std::string& host, const tcp::endpoint& endpoint) {
  return host + "|" + endpoint.address().to_string() + "|" + std::to_string(endpoint.port());
}

}  // namespace

SmtpDeliverer::SmtpDeliverer(asio::any_io_executor executor, dns::Resolver& resolver,
                             std::string helo_name, std::shared_ptr<asio::ssl::context> tls,
                             config::SmtpDestination destination, Options options)
    : executor_(executor),
      resolver_(resolver),
      helo_name_(helo_name.empty() ? "localhost" : std::move(helo_name)),
      tls_(std::move(tls)),
      destination_(std::move(destination)),
      options_(options),
      limit_(executor, destination_.max_connections),
      pool_(executor, options.idle_timeout, destination_.max_connections == 0 ? 1 : destination_.max_connections),
      random_(std::random_device{}()) {}

asio::awaitable<std::vector<Outcome>> SmtpDeliverer::deliver(const DeliveryJob& job) {
  const std::size_t n = job.recipients.size();
  if (n == 0) co_return std::vector<Outcome>{};
  if (!job.message)
    co_return for_all(n, temporary(Reply(451, {4, 3, 0}, "No message content"), ""));

  FairSemaphore::Permit permit = co_await limit_.acquire();
  std::vector<Nexthop> hops;
  bool implicit_mx = false;
  if (destination_.mode == config::SmtpMode::direct) {
    const auto mx = co_await resolver_.mx(job.domain);
    MxPlan plan = plan_mx(mx, job.domain, random_);
    if (plan.failure) {
      log::get("delivery")->info("{}: {}: {} ({})", job.queue_id, job.domain,
                                 plan.failure->to_string(), mx.error);
      co_return for_all(n, outcome_from_reply(*plan.failure, job.domain));
    }
    implicit_mx = plan.implicit;
    for (auto& host : plan.hosts) hops.push_back(Nexthop{std::move(host), destination_.port});
  } else {
    const bool implicit = destination_.relay.tls == config::RelayTls::implicit;
    for (const auto& h : destination_.relay.hosts)
      hops.push_back(Nexthop{h.host, h.port != 0 ? h.port : uint16_t(implicit ? 465 : 25)});
  }
  co_return co_await deliver_to(job, std::move(hops), implicit_mx);
}

asio::awaitable<std::vector<Outcome>> SmtpDeliverer::deliver_to(const DeliveryJob& job,
                                                                std::vector<Nexthop> hops,
                                                                bool implicit_mx) {
  const std::size_t n = job.recipients.size();
  Outcome last = temporary(Reply(451, {4, 4, 1}, "No host to deliver to"), job.domain);
  bool definitely_no_address = true;  // every host's A and AAAA were NXDOMAIN/NODATA
  for (const auto& hop : hops) {
    std::vector<asio::ip::address> addresses;
    boost::system::error_code literal_ec;
    const auto literal = asio::ip::make_address(hop.host, literal_ec);
    if (!literal_ec) {
      addresses.push_back(literal);
    } else {
      const auto a = co_await resolver_.a(hop.host);
      const auto aaaa = co_await resolver_.aaaa(hop.host);
      addresses = a.records;
      addresses.insert(addresses.end(), aaaa.records.begin(), aaaa.records.end());
      if (addresses.empty()) {
        const bool dns_trouble = a.status == dns::Status::temperror ||
                                 a.status == dns::Status::permerror ||
                                 aaaa.status == dns::Status::temperror ||
                                 aaaa.status == dns::Status::permerror;
        if (dns_trouble) {
          definitely_no_address = false;
          last = temporary(Reply(451, {4, 4, 3}, "Address lookup for " + hop.host + " failed"),
                           hop.host);
        } else {
          last = temporary(Reply(451, {4, 4, 4}, "Host " + hop.host + " has no address"),
                           hop.host);
        }
        continue;
      }
    }
    definitely_no_address = false;
    for (const auto& address : addresses) {
      Attempt a = co_await attempt(job, hop, tcp::endpoint(address, hop.port));
      if (a.done) co_return std::move(a.outcomes);
      log::get("delivery")->info("{}: {} did not take the mail: {}", job.queue_id,
                                 a.failure.remote, a.failure.reply.to_string());
      last = std::move(a.failure);
    }
  }
  if (implicit_mx && definitely_no_address)
    co_return for_all(n, outcome_from_reply(Reply(550, {5, 4, 4}, "Domain " + job.domain +
                                                                      " has no MX and no address"),
                                            job.domain));
  co_return for_all(n, last);
}

asio::awaitable<SmtpDeliverer::Attempt> SmtpDeliverer::attempt(const DeliveryJob& job,
                                                               const Nexthop& hop,
                                                               const tcp::endpoint& endpoint) {
  const std::string key = nexthop_key(hop.host, endpoint);
  std::unique_ptr<Connection> connection = pool_.take(key);
  if (connection) {
    StepResult rset = co_await connection->reset();
    if (!rset.ok()) ConnectionPool::retire(executor_, std::move(connection));
  }
  if (!connection) {
    Attempt opened = co_await open_session(hop, endpoint, true);
    const bool may_fall_back = destination_.mode == config::SmtpMode::direct &&
                               destination_.tls == config::DirectTls::opportunistic &&
                               destination_.fallback_plain;
    if (!opened.connection && opened.tls_failed && may_fall_back) {
      log::get("delivery")->info("{}: {}: {}; retrying without TLS", job.queue_id,
                                 opened.failure.remote, opened.failure.reply.to_string());
      opened = co_await open_session(hop, endpoint, false);
    }
    if (!opened.connection) {
      if (opened.done) opened.outcomes = for_all(job.recipients.size(), opened.failure);
      co_return opened;
    }
    connection = std::move(opened.connection);
  }

  smtp::client::Envelope envelope{job.mail_from, job.recipients, job.eight_bit, job.smtputf8};
  const auto result = co_await connection->send(envelope, *job.message);
  Attempt done;
  done.done = true;
  for (const auto& reply : result.recipients)
    done.outcomes.push_back(outcome_from_reply(reply, connection->remote()));
  auto logger = log::get("delivery");
  for (std::size_t i = 0; i < done.outcomes.size(); ++i)
    logger->info("{}: to=<{}> relay={} tls=\"{}\" {}", job.queue_id, job.recipients[i],
                 connection->remote(), connection->tls_description(),
                 done.outcomes[i].reply.to_string());
  if (connection->usable() &&
      connection->transactions() < static_cast<int>(destination_.max_messages_per_connection))
    pool_.put(key, std::move(connection));
  else
    ConnectionPool::retire(executor_, std::move(connection));
  co_return done;
}

asio::awaitable<SmtpDeliverer::Attempt> SmtpDeliverer::open_session(const Nexthop& hop,
                                                                    const tcp::endpoint& endpoint,
                                                                    bool allow_tls) {
  const bool relay = destination_.mode == config::SmtpMode::relay;
  smtp::client::ClientOptions client_options;
  client_options.helo_name = helo_name_;
  client_options.server_name = hop.host;
  client_options.timeouts = options_.timeouts;
  auto connection = std::make_unique<Connection>(executor_, *tls_, client_options);
  Attempt a;
  auto fail = [&](Outcome why) {
    a.failure = std::move(why);
    ConnectionPool::retire(executor_, std::move(connection));
  };

  const bool implicit_tls = relay && destination_.relay.tls == config::RelayTls::implicit;
  StepResult s = co_await connection->open(endpoint, implicit_tls);
  const std::string remote = connection->remote();
  if (!s.ok()) {
    fail(step_failure(s, {4, 4, 1}, "Host refused the session", remote));
    co_return a;
  }
  s = co_await connection->hello();
  if (!s.ok()) {
    fail(step_failure(s, {4, 4, 1}, "Host refused EHLO/HELO", remote));
    co_return a;
  }

  // TLS policy.
  bool must_tls = false, try_tls = false;
  if (relay) {
    must_tls = destination_.relay.tls == config::RelayTls::starttls;
  } else {
    must_tls = destination_.tls == config::DirectTls::required;
    try_tls = destination_.tls == config::DirectTls::opportunistic && allow_tls;
  }
  if (must_tls && !connection->capabilities().starttls) {
    fail(temporary(Reply(451, {4, 7, 4}, "TLS is required, but was not offered by " + remote),
                   remote));
    co_return a;
  }
  if (must_tls || (try_tls && connection->capabilities().starttls)) {
    s = co_await connection->starttls();
    if (!s.ok()) {
      a.tls_failed = true;
      fail(step_failure(s, {4, 7, 5}, "Cannot start TLS", remote));
      co_return a;
    }
  }

  // AUTH policy (relay hosts only).
  if (relay && destination_.relay.auth != config::RelayAuth::disabled) {
    const bool offered = smtp::client::choose_auth_mechanism(connection->capabilities().auth).has_value();
    if (!offered && destination_.relay.auth == config::RelayAuth::required) {
      fail(temporary(Reply(451, {4, 7, 4}, "AUTH is required, but " + remote +
                                               " offers no PLAIN or LOGIN"),
                     remote));
      co_return a;
    }
    if (offered) {
      const signing::SecretResult credentials = co_await relay_credentials();
      if (!credentials.ok) {
        log::get("delivery")->warn("relay credentials \"{}\": {}", destination_.relay.credentials,
                                   credentials.error);
        a.done = true;  // every host needs the same secret: wait and retry the message
        fail(temporary(Reply(451, {4, 7, 0}, "Relay credentials unavailable: " + credentials.error),
                       remote));
        co_return a;
      }
      s = co_await connection->authenticate(credentials.username, credentials.value);
      if (!s.ok()) {
        fail(step_failure(s, {4, 7, 8}, "Relay host refused authentication", remote));
        co_return a;
      }
    }
  }
  a.connection = std::move(connection);
  co_return a;
}

asio::awaitable<signing::SecretResult> SmtpDeliverer::relay_credentials() {
  signing::SecretResult out;
  if (destination_.relay.credentials.empty()) {
    out.ok = true;
    out.username = destination_.relay.username;
    out.value = destination_.relay.password;
    co_return out;
  }
  const auto now = std::chrono::steady_clock::now();
  if (secret_ && now < secret_expires_) co_return *secret_;
  if (options_.keystore == nullptr) {
    out.error = "no keystore client for relay.credentials";
    co_return out;
  }
  out = co_await options_.keystore->get_secret(destination_.relay.credentials);
  if (out.ok) {
    secret_ = out;
    secret_expires_ = std::chrono::steady_clock::now() + options_.credentials_ttl;
  }
  co_return out;
}

}  // namespace postern::router::delivery
