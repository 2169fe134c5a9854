#include "edge/inbound/authenticator.h"

#include <boost/system/error_code.hpp>

#include "common/mailauth/dkim/verifier.h"
#include "common/mailauth/dmarc/evaluator.h"
#include "common/mailauth/dmarc/from_domain.h"
#include "common/mime/headers.h"
#include "edge/inbound/iprev.h"

namespace postern::edge::inbound {
namespace asio = boost::asio;
namespace dkim = mailauth::dkim;
namespace dmarc = mailauth::dmarc;

namespace {

std::optional<asio::ip::address> parse_ip(const std::string& text) {
  boost::system::error_code ec;
  auto a = asio::ip::make_address(text, ec);
  if (ec) return std::nullopt;
  return a;
}

asio::awaitable<Iprev> ready(Iprev value) { co_return value; }

spf::Verdict spf_unavailable(spf::Identity identity, std::string why) {
  spf::Verdict v;
  v.result = spf::Result::temperror;
  v.identity = identity;
  v.problem = std::move(why);
  return v;
}

}  // namespace

std::shared_ptr<PendingIprev> start_iprev(asio::any_io_executor executor, AuthContext& context,
                                          std::string client_ip) {
  Iprev fallback{Iprev::Result::temperror, {}, "iprev check failed"};
  const auto ip = parse_ip(client_ip);
  if (!ip) {
    Iprev bad{Iprev::Result::permerror, {}, "not an IP address: " + client_ip};
    return PendingIprev::start(executor, [bad] { return ready(bad); }, fallback);
  }
  dns::Resolver* resolver = context.resolver;
  const asio::ip::address address = *ip;
  return PendingIprev::start(
      executor, [resolver, address] { return check_iprev(*resolver, address); }, fallback);
}

StartedSpf start_spf(asio::any_io_executor executor, AuthContext& context, std::string client_ip,
                     const SpfStart& start) {
  StartedSpf out;
  const auto ip = parse_ip(client_ip);
  if (!ip) return out;  // authenticate() reports temperror for a check that never started
  if (start.mail_from_identity) {
    out.mail_from = spf::PendingCheck::start_mail_from(executor, *context.resolver, *ip,
                                                       start.mail_from, start.helo,
                                                       context.receiver);
  }
  if (start.helo_identity) {
    dns::Resolver* resolver = context.resolver;
    const asio::ip::address address = *ip;
    out.helo = spf::PendingCheck::start(
        executor, [resolver, address, helo = start.helo, receiver = context.receiver] {
          return spf::check_helo(*resolver, address, helo, receiver);
        });
  }
  return out;
}

asio::awaitable<Verdicts> authenticate(AuthContext& context, AuthRequest request, StartedSpf spf,
                                       std::shared_ptr<PendingIprev> iprev, int64_t now) {
  Verdicts v;
  const Plan& plan = request.plan;
  if (plan.spf) {
    if (spf.mail_from) v.spf = co_await spf.mail_from->wait();
    else v.spf = spf_unavailable(spf::Identity::mailfrom, "SPF check not started");
  }
  if (plan.spf_helo) {
    if (spf.helo) v.spf_helo = co_await spf.helo->wait();
    else v.spf_helo = spf_unavailable(spf::Identity::helo, "SPF check not started");
  }
  if (plan.dkim) {
    dkim::VerifyOptions options;
    options.key_cache = context.key_cache;
    dkim::Verification verification =
        co_await dkim::verify_message(*context.resolver, request.message, now, options);
    v.dkim = std::move(verification.signatures);
  }
  if (plan.dmarc) {
    const mime::HeaderSplit split = mime::split_header_block(request.message);
    const dmarc::FromDomain from = dmarc::extract_from_domain(split.headers);
    v.dmarc_inputs.from_domain = from.domain;
    v.dmarc_inputs.spf = dmarc_spf_input(v.spf);
    if (v.dkim) v.dmarc_inputs.dkim = dmarc_dkim_inputs(*v.dkim);
    if (!from.ok()) {
      v.dmarc = dmarc::evaluation_for_from(from);
    } else {
      dmarc::Options options;
      options.method = context.org_domain == config::OrgDomainMethod::psl
                           ? dmarc::OrgDomainMethod::psl
                           : dmarc::OrgDomainMethod::tree_walk;
      options.psl = context.psl;
      v.dmarc = co_await dmarc::evaluate(*context.resolver, v.dmarc_inputs, options);
    }
  }
  if (plan.iprev) {
    if (iprev) v.iprev = co_await iprev->wait();
    else v.iprev = Iprev{Iprev::Result::temperror, {}, "iprev check not started"};
  }
  co_return v;
}

}  // namespace postern::edge::inbound
