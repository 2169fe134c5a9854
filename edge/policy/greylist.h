// Greylisting (edge.inbound.greylist) on the edge side: whether a recipient is greylisted,
// the triplet sent to the routers, and what their answer means. Pure; the state and the
// decision over time live in the router tier (router/greylist/), reached over gRPC by the
// adapter (edge/greylist_client.h).
//
// Contract:
//   applies() is false when greylisting is off, for authenticated clients, clients in
//   trusted_networks or greylist.pass_hosts, and when the sender's or the recipient's domain
//   is in greylist.pass_domains; the null sender <> is greylisted like any other.
//   The triplet's network is the client's /24 (IPv4) or /64 (IPv6) in canonical text
//   ("192.0.2.0/24", "2001:db8:1:2::/64"), so a sender's pool of outbound servers counts as
//   one client. Sender and recipient are lower-cased.
//   Answers: defer -> 451 4.7.1 "Greylisted, try again in N seconds"; pass -> permit with the
//   fact greylist_passed; an error (no router reachable) -> permit without a fact, logged
//   (fail open: greylisting only delays mail, it must never lose it).
//
// SECURITY: sender and recipient are client input; they travel to the routers only as fields
// of the triplet (the router bounds and hashes them, router/greylist/triplet.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/config/config.h"
#include "common/smtp/codec/address.h"
#include "edge/policy/check.h"

namespace postern::edge::policy {

struct GreylistTriplet {
  std::string client_ip;  // sent to the router, which reduces it the same way
  std::string network;
  std::string sender;
  std::string recipient;
};

struct GreylistAnswer {
  enum class Kind { pass, defer, error };
  Kind kind = Kind::error;
  int64_t retry_after_seconds = 0;  // defer
  std::string error;                // error
};

bool greylist_applies(const config::Inbound& inbound, std::string_view ip,
                      std::string_view verified_name, bool authenticated, bool trusted,
                      const smtp::codec::Mailbox& from, const smtp::codec::Mailbox& rcpt);

// "" when `ip` is not an address.
std::string client_network(std::string_view ip);

GreylistTriplet make_triplet(std::string_view ip, const smtp::codec::Mailbox& from,
                             const smtp::codec::Mailbox& rcpt);

CheckResult judge_greylist(const config::InboundScore& score, const GreylistTriplet& triplet,
                           const GreylistAnswer& answer);

}  // namespace postern::edge::policy
