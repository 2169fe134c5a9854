// The SPF evaluator: check_host() (RFC 7208 4-6) over dns::Resolver, as an Asio awaitable.
//
// Contract: always completes with one of the seven results (never throws for any DNS data,
// never hangs: every query is bounded by the resolver's timeout and the whole check by
// Limits::time_budget). Runs on the resolver's executor; the resolver must outlive the check.
// Only TXT records are consulted (the SPF RR type is obsolete, RFC 7208 3.1).
//
// Limits (RFC 7208 4.6.4), shared by the whole check including include/redirect recursion:
//   * at most 10 terms that query DNS (include a mx ptr exists redirect) → else permerror;
//   * at most 2 void lookups (NXDOMAIN or empty answer) for a, mx, exists → else permerror;
//     PTR lookups are not counted (a client controls its own reverse zone, not the sender);
//   * an mx with more than 10 MX names → permerror; ptr and %{p} look at 10 PTR names only;
//   * the exp= lookup is done once, after the result, and counts against no limit;
//   * %{p} costs one PTR and up to 10 address queries, shared (cached) with ptr mechanisms,
//     and counts against no limit (RFC 7208 does not count macro lookups).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/dns/resolver.h"
#include "common/mailauth/spf/result.h"

namespace postern::spf {

struct Limits {
  int dns_terms = 10;
  int void_lookups = 2;
  int mx_names = 10;
  int ptr_names = 10;
  // 4.6.4: "SHOULD impose a limit ... at least 20 seconds"; exceeded → temperror.
  std::chrono::milliseconds time_budget{20000};
};

// Which identity a check authorises (RFC 7208 2.3, 2.4).
enum class Identity { mailfrom, helo };
std::string_view to_string(Identity);  // "mailfrom" / "helo" (Received-SPF identity=)

// The facts of one check_host() call.
struct Request {
  boost::asio::ip::address ip;  // the SMTP client; IPv4-mapped IPv6 is treated as IPv4
  std::string domain;           // <domain>
  std::string sender;           // <sender>: "local@domain" (local part may be empty)
  std::string helo;             // HELO/EHLO argument as sent, for %{h}
  std::string receiver;         // this host's name, for %{r} in explanations
  std::optional<int64_t> timestamp;  // %{t}; unset: the system clock at the start
};

struct Verdict {
  Result result = Result::none;
  Identity identity = Identity::mailfrom;
  std::string domain;       // the domain whose policy was checked (the identity's domain)
  std::string sender;       // the <sender> used (postmaster@HELO for a null MAIL FROM)
  std::string mechanism;    // the matching term as published ("-all", "ip4:192.0.2.0/24",
                            // "include:x"), "default" when none matched; "" for none/errors
  std::string explanation;  // fail only: the expanded exp= text, if the domain published one
  std::string problem;      // temperror/permerror/none: what went wrong, for logs and headers
};

// check_host(<ip>, <domain>, <sender>) as RFC 7208 4 defines it. `identity` only labels the
// verdict.
boost::asio::awaitable<Verdict> check_host(dns::Resolver& resolver, Request request,
                                           Identity identity = Identity::mailfrom,
                                           Limits limits = {});

// The MAIL FROM identity (2.4): `mail_from` is the reverse-path address without brackets;
// empty for the null sender "<>", which checks "postmaster@<helo>" at the HELO domain.
boost::asio::awaitable<Verdict> check_mail_from(dns::Resolver& resolver,
                                                boost::asio::ip::address ip,
                                                std::string mail_from, std::string helo,
                                                std::string receiver, Limits limits = {});

// The HELO identity (2.3): "postmaster@<helo>" at <helo>. An address literal or a name that
// is not a domain gives "none".
boost::asio::awaitable<Verdict> check_helo(dns::Resolver& resolver, boost::asio::ip::address ip,
                                           std::string helo, std::string receiver,
                                           Limits limits = {});

}  // namespace postern::spf
