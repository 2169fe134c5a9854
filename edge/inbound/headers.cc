#include "edge/inbound/headers.h"

#include <algorithm>

#include "common/mailauth/authres/builder.h"
#include "common/mailauth/authres/forged.h"
#include "common/mailauth/spf/received_spf.h"
#include "common/mime/headers.h"

namespace postern::edge::inbound {
namespace {

namespace authres = mailauth::authres;
namespace dkim = mailauth::dkim;

bool spf_written(const config::InboundSpf& c, spf::Result r) {
  switch (r) {
    case spf::Result::fail: return c.on_fail != config::AuthAction::none;
    case spf::Result::softfail: return c.on_softfail != config::AuthAction::none;
    case spf::Result::temperror: return c.on_temperror != config::TempAction::none;
    default: return true;
  }
}

bool dkim_written(const config::InboundDkim& c, dkim::Result r) {
  switch (r) {
    case dkim::Result::fail: return c.on_fail != config::AuthAction::none;
    case dkim::Result::temperror: return c.on_temperror != config::TempAction::none;
    default: return true;
  }
}

authres::MethodResult spf_helo_result(const spf::Verdict& v, std::string_view helo) {
  authres::MethodResult m;
  m.method = "spf";
  m.result = std::string(spf::to_string(v.result));
  m.properties.push_back({"smtp", "helo", std::string(helo)});
  return m;
}

}  // namespace

std::string authentication_fields(const config::Inbound& in, const Plan& plan,
                                  const Verdicts& v, const Decision& decision,
                                  const HeaderContext& ctx) {
  authres::AuthenticationResults ar;
  ar.authserv_id = ctx.hostname;
  std::string received_spf;
  const spf::ReceivedSpfContext spf_ctx{ctx.hostname, ctx.client_ip, ctx.helo, ctx.mail_from};
  if (plan.spf_policy && v.spf && spf_written(in.spf, v.spf->result)) {
    ar.results.push_back(authres::spf(spf::to_string(v.spf->result), v.spf->sender));
    received_spf += spf::received_spf_field(*v.spf, spf_ctx);
  }
  if (plan.spf_policy && v.spf_helo && spf_written(in.spf, v.spf_helo->result)) {
    ar.results.push_back(spf_helo_result(*v.spf_helo, ctx.helo));
    received_spf += spf::received_spf_field(*v.spf_helo, spf_ctx);
  }
  if (plan.dkim_policy && v.dkim) {
    if (v.dkim->empty()) {
      ar.results.push_back(authres::MethodResult{"dkim", "none", "", {}});
    }
    for (const auto& s : *v.dkim) {
      if (!dkim_written(in.dkim, s.result)) continue;
      authres::MethodResult m = authres::dkim(dkim::to_string(s.result), s.domain, s.selector,
                                              s.b_prefix);
      if (s.result != dkim::Result::pass) m.reason = s.reason;
      ar.results.push_back(std::move(m));
    }
  }
  if (plan.dmarc && v.dmarc) {
    ar.results.push_back(
        authres::dmarc(mailauth::dmarc::to_string(v.dmarc->result), v.dmarc->from_domain));
  }
  if (plan.iprev && v.iprev) {
    authres::MethodResult m = authres::iprev(to_string(v.iprev->result), ctx.client_ip);
    ar.results.push_back(std::move(m));
  }
  std::string out;
  if (!ar.results.empty()) out += authres::format_field(ar);
  out += received_spf;
  if (!decision.quarantine.empty()) {
    out += std::string(kQuarantineField) + ": yes (" + decision.quarantine + ")\r\n";
  }
  return out;
}

Cleaned remove_forged_fields(std::string_view message, std::string_view authserv_id) {
  const mime::HeaderSplit split = mime::split_header_block(message);
  const std::string_view rest = message.substr(split.headers.size());
  authres::ForgedRemoval r = authres::remove_forged(split.headers, authserv_id);
  Cleaned out;
  out.removed = r.removed;
  std::string& block = r.header_block;
  // Our own marker: drop every copy a sender wrote (back to front keeps offsets valid).
  const auto fields = mime::parse_fields(block);
  for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
    if (!mime::iequals(it->name, kQuarantineField) && !mime::iequals(it->name, kScoreField))
      continue;
    block.erase(static_cast<std::size_t>(it->raw.data() - block.data()), it->raw.size());
    ++out.removed;
  }
  out.message.reserve(block.size() + rest.size());
  out.message += block;
  out.message += rest;
  return out;
}

}  // namespace postern::edge::inbound
