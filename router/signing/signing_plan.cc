#include "router/signing/signing_plan.h"

#include "common/mailauth/dmarc/from_domain.h"
#include "common/mime/headers.h"

namespace postern::router::signing {

SigningPlan plan_signing(const config::DkimSigning& config,
                         const postern::v1::queue::MessageRecord& meta, std::string_view message) {
  SigningPlan plan;
  if (!config.signing) {
    plan.reason = "signing is off (router.dkim.signing)";
    return plan;
  }
  const bool ours = !meta.client().auth_user().empty() || meta.client().trusted_network() ||
                    meta.is_dsn();
  if (!ours) {
    plan.reason = "relayed from outside (client neither authenticated nor in trusted_networks)";
    return plan;
  }
  const mime::HeaderSplit split = mime::split_header_block(message);
  const mailauth::dmarc::FromDomain from = mailauth::dmarc::extract_from_domain(split.headers);
  if (!from.ok()) {
    plan.reason = std::string("no single From domain (") + mailauth::dmarc::to_string(from.status) +
                  ")";
    return plan;
  }
  // Keys are stored lower-case without a trailing dot (config), as extract_from_domain returns.
  const auto keys = config.keys.find(from.domain);
  if (keys == config.keys.end()) {
    plan.reason = "no DKIM keys for " + from.domain;
    return plan;
  }
  plan.sign = true;
  plan.domain = from.domain;
  plan.selectors = keys->second;
  return plan;
}

}  // namespace postern::router::signing
