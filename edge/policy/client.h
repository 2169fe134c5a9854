// Connection controls, DNSBL/DNSWL and pre-greeting tests at connect (edge.inbound.connection,
// .dnsbl, .pregreet): a pure function of what the adapter looked up.
//
// Contract, in order:
//   too many sessions from the IP (connection.max_per_ip)   -> 421 4.7.0, disconnect
//   too many new sessions per window (rate_per_ip)          -> 421 4.7.0, disconnect
//   client in connection.allow_hosts                        -> permit (nothing else checked)
//   client in connection.deny_hosts                         -> 554 5.7.1, disconnect
//   verify_hostname and no forward-confirmed PTR            -> 554 5.7.25 (421 4.7.25 when
//                                                              the lookup failed), disconnect
//   early talker with pregreet.reject_early_talkers         -> 554 5.5.1, disconnect
//   facts: no_ptr / ptr_not_confirmed, early_talker, dnswl:<zone> per DNSWL hit,
//          dnsbl:<zone> per DNSBL hit (skipped after a DNSWL hit when allow_skips_zones;
//          weight 0 for action log)
//   a DNSBL hit with action reject                          -> reject 550 5.7.1 with the
//          zone's reply template (%s = client address, zone), *not* at connect: the session
//          answers it to MAIL FROM, so that senders get a bounce that says why
// A zone that failed (timeout, refusal) counts as not listed (fail open) and is logged.
//
// SECURITY: the PTR name and the TXT reasons come from DNS the client (or a list operator)
// controls; a PTR name counts only when forward-confirmed, TXT text arrives sanitized
// (policy_lookups.h) and the reply text is built by dnsbl::format_reply (one safe line).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config.h"
#include "edge/policy/check.h"

namespace postern::edge::policy {

// The client's PTR as the adapter found it (iprev, RFC 8601 2.7.3).
struct Ptr {
  enum class Status { not_looked_up, none, unconfirmed, confirmed, temperror };
  Status status = Status::not_looked_up;
  std::string name;  // confirmed: the forward-confirmed name (lower-case, no trailing dot)
};

// One zone's answer (the adapter maps common/dnsbl results to this).
struct ZoneAnswer {
  std::string zone;
  enum class Outcome { listed, not_listed, error } outcome = Outcome::not_listed;
  std::string codes;   // "127.0.0.2,127.0.0.4" for the log
  std::string detail;  // TXT reason (listed) or error (error), sanitized
};

struct ClientLookup {
  Ptr ptr;
  std::vector<ZoneAnswer> zones;        // edge.inbound.dnsbl.zones, config order
  std::vector<ZoneAnswer> allow_zones;  // edge.inbound.dnsbl.allow_zones
  bool early_talker = false;
  bool too_many_sessions = false;
  bool rate_exceeded = false;
};

// What the adapter must look up before the greeting.
struct ClientLookupPlan {
  bool ptr = false;
  bool zones = false;
  bool allow_zones = false;
  bool any() const { return ptr || zones || allow_zones; }
};
// The PTR only when something uses it: verify_hostname, a threshold (the PTR facts), or a
// host name in any host list.
ClientLookupPlan client_lookup_plan(const config::Inbound& inbound);

// True when any score threshold is set (facts then matter beyond the log).
bool scoring(const config::Inbound& inbound);

struct ClientVerdict {
  CheckResult result;       // reject: `at_connect` says when it is answered
  bool at_connect = false;  // true: answer now and close; false: answer to MAIL FROM
  bool tag = false;         // a DNSBL zone with action tag was hit
  std::string verified_name;  // from the PTR, for host-name lists later in the session
  std::vector<std::string> log;  // one line per zone error or notable observation
};

ClientVerdict check_client(const config::Inbound& inbound, std::string_view ip,
                           const ClientLookup& lookup);

}  // namespace postern::edge::policy
