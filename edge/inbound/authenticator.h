// The I/O half of sender authentication: runs the checks a Plan asks for over one io_context's
// dns::Resolver and returns plain Verdicts for the session to judge (decision.h).
//
//   start_iprev()   at connect: PTR + forward confirmation of the client address;
//   start_spf()     at MAIL FROM: the MAIL FROM and/or HELO identity checks;
//   authenticate()  at end of DATA: awaits both, verifies DKIM over the message, evaluates
//                   DMARC (From domain, the SPF verdict, the DKIM d= results).
//
// Contract: nothing here throws for any message or DNS answer; every check completes (bounded
// by the resolver's timeout and SPF's time budget). Everything runs on the resolver's
// executor; the AuthContext (and its resolver) must outlive every check started with it,
// including the detached ones a closed connection leaves behind.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "common/config/config.h"
#include "common/dns/resolver.h"
#include "common/mailauth/dkim/key_cache.h"
#include "common/mailauth/dmarc/public_suffix.h"
#include "common/mailauth/spf/pending_check.h"
#include "edge/inbound/pending.h"
#include "edge/inbound/verdicts.h"
#include "edge/session.h"

namespace postern::edge::inbound {

// One per io_context (c-ares resolvers are single-threaded).
struct AuthContext {
  dns::Resolver* resolver = nullptr;
  const mailauth::dmarc::PublicSuffixList* psl = nullptr;  // needed for org_domain: psl
  mailauth::dkim::KeyCache* key_cache = nullptr;           // optional, shared
  config::OrgDomainMethod org_domain = config::OrgDomainMethod::psl;
  std::string receiver;  // internet.hostname (SPF %{r})
};

using PendingIprev = Pending<Iprev>;

struct StartedSpf {
  std::shared_ptr<spf::PendingCheck> mail_from;
  std::shared_ptr<spf::PendingCheck> helo;
};

std::shared_ptr<PendingIprev> start_iprev(boost::asio::any_io_executor executor,
                                          AuthContext& context, std::string client_ip);

StartedSpf start_spf(boost::asio::any_io_executor executor, AuthContext& context,
                     std::string client_ip, const SpfStart& start);

// `request.message` must stay valid until the awaitable completes. `now`: unix seconds (DKIM
// t=/x=).
boost::asio::awaitable<Verdicts> authenticate(AuthContext& context, AuthRequest request,
                                              StartedSpf spf,
                                              std::shared_ptr<PendingIprev> iprev, int64_t now);

}  // namespace postern::edge::inbound
