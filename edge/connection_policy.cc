// Connection: the I/O steps of the inbound controls (issue 5): the client lookups before the
// greeting (per-IP session limits, PTR, DNSBL/DNSWL, greeting delay and early-talker test),
// the sender lookups at MAIL FROM and the greylist query at RCPT TO. The session judges.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "edge/connection.h"
#include "edge/inbound/pending.h"
#include "edge/policy_lookups.h"

namespace postern::edge {
namespace asio = boost::asio;

namespace {

using PendingPtr = inbound::Pending<policy::Ptr>;
using PendingZones = inbound::Pending<std::vector<policy::ZoneAnswer>>;

asio::awaitable<policy::Ptr> ptr_from_iprev(std::shared_ptr<inbound::PendingIprev> iprev) {
  const inbound::Iprev result = co_await iprev->wait();
  co_return to_ptr(result);
}

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

}  // namespace

void Connection::log_policy() {
  for (const auto& line : session_.take_policy_log())
    listener_.log->info("{} {} policy: {}", session_.session_id(), peer_, line);
}

asio::awaitable<Step> Connection::check_client() {
  policy::ClientLookup lookup;
  const PolicySnapshot* snap = policy_.snapshot.get();
  if (snap == nullptr) co_return session_.on_client_checked(lookup);
  const config::Inbound& in = snap->inbound;
  if (snap->sessions_per_ip) {
    auto slot = snap->sessions_per_ip->try_acquire(peer_);
    if (slot) session_slot_.emplace(std::move(*slot));
    else lookup.too_many_sessions = true;
  }
  if (!lookup.too_many_sessions && snap->connections_per_ip &&
      !snap->connections_per_ip->acquire(peer_).allowed) {
    lookup.rate_exceeded = true;
  }
  if (lookup.too_many_sessions || lookup.rate_exceeded) co_return session_.on_client_checked(lookup);

  // Lookups overlap the greeting delay.
  const policy::ClientLookupPlan plan = policy::client_lookup_plan(in);
  std::shared_ptr<PendingPtr> ptr;
  std::shared_ptr<PendingZones> zones, allow_zones;
  dns::Resolver* resolver = policy_.resolver;
  if (plan.ptr && iprev_) {
    ptr = PendingPtr::start(executor(), [p = iprev_] { return ptr_from_iprev(p); },
                            policy::Ptr{policy::Ptr::Status::temperror, {}});
  } else if (plan.ptr && resolver != nullptr) {
    ptr = PendingPtr::start(executor(), [resolver, ip = peer_] { return lookup_ptr(*resolver, ip); },
                            policy::Ptr{policy::Ptr::Status::temperror, {}});
  }
  if (plan.zones && resolver != nullptr) {
    zones = PendingZones::start(
        executor(), [resolver, ip = peer_, z = in.dnsbl.zones] { return lookup_zones(*resolver, ip, z); },
        {});
  }
  if (plan.allow_zones && resolver != nullptr) {
    allow_zones = PendingZones::start(
        executor(),
        [resolver, ip = peer_, z = in.dnsbl.allow_zones] { return lookup_zones(*resolver, ip, z); },
        {});
  }
  if (in.pregreet.greeting_delay.count() > 0) {
    asio::steady_timer delay(executor());
    delay.expires_after(in.pregreet.greeting_delay);
    co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (ptr) lookup.ptr = co_await ptr->wait();
  if (zones) lookup.zones = co_await zones->wait();
  if (allow_zones) lookup.allow_zones = co_await allow_zones->wait();
  // Early talker: anything the client sent before our banner (postscreen's pregreet test).
  boost::system::error_code ec;
  lookup.early_talker = !tls_ && socket_.available(ec) > 0 && !ec;
  co_return session_.on_client_checked(lookup);
}

asio::awaitable<Step> Connection::check_sender() {
  const policy::SenderLookupPlan plan = session_.sender_lookup_plan();
  policy::SenderLookup lookup;
  const PolicySnapshot* snap = policy_.snapshot.get();
  if (snap != nullptr && !plan.rate_ip.empty() && snap->messages_per_ip)
    lookup.ip_rate_exceeded = !snap->messages_per_ip->acquire(plan.rate_ip).allowed;
  if (snap != nullptr && !plan.rate_sender.empty() && snap->messages_per_sender)
    lookup.sender_rate_exceeded = !snap->messages_per_sender->acquire(lower(plan.rate_sender)).allowed;
  if (!plan.domain.empty() && policy_.resolver != nullptr && !lookup.ip_rate_exceeded &&
      !lookup.sender_rate_exceeded) {
    lookup.domain = co_await lookup_sender_domain(*policy_.resolver, plan.domain);
  }
  co_return session_.on_sender_checked(lookup);
}

asio::awaitable<Step> Connection::check_greylist() {
  const policy::GreylistTriplet t = session_.greylist_triplet();
  policy::GreylistAnswer answer;
  answer.error = "no greylist client";
  const PolicySnapshot* snap = policy_.snapshot.get();
  if (policy_.greylist != nullptr && snap != nullptr) {
    const config::InboundGreylist& g = snap->inbound.greylist;
    GreylistParams params;
    params.delay = g.delay;
    params.retry_window = g.retry_window;
    params.expiry = g.expiry;
    GreylistQuery query{t.client_ip, t.sender, t.recipient};  // not a braced temporary in
                                                             // co_await (GCC 12)
    GreylistOutcome o = co_await policy_.greylist->check(std::move(query), params);
    switch (o.action) {
      case GreylistOutcome::Action::pass:
        answer.kind = policy::GreylistAnswer::Kind::pass;
        break;
      case GreylistOutcome::Action::defer:
        answer.kind = policy::GreylistAnswer::Kind::defer;
        answer.retry_after_seconds = o.retry_after.count();
        break;
      case GreylistOutcome::Action::error:
        answer.kind = policy::GreylistAnswer::Kind::error;
        answer.error = o.error;
        break;
    }
  }
  co_return session_.on_greylist_checked(answer);
}

}  // namespace postern::edge
