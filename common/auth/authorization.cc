#include "common/auth/authorization.h"

#include <algorithm>

#include "common/auth/bearer_token.h"

namespace postern::auth {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

bool certificate_allowed(const CallerRule& rule, const PeerCertificate& peer) {
  if (!peer.verified) return false;
  for (const auto& name : peer.names) {
    if (name.empty()) continue;
    for (const auto& allowed : rule.certificate_names) {
      if (same_name(name, allowed)) return true;
    }
  }
  return false;
}

}  // namespace

const char* to_string(Grant grant) {
  switch (grant) {
    case Grant::token:
      return "token";
    case Grant::certificate:
      return "certificate";
    case Grant::refused:
      return "refused";
  }
  return "refused";
}

Grant authorize(const CallerRule& rule, std::string_view authorization,
                const PeerCertificate& peer) {
  // The token check always runs, so timing does not tell whether a certificate was enough.
  const bool token_ok = bearer_token_matches(authorization, rule.token);
  if (token_ok) return Grant::token;
  if (certificate_allowed(rule, peer)) return Grant::certificate;
  return Grant::refused;
}

CallerRule admin_callers(const config::Config& config, std::string admin_token) {
  CallerRule rule;
  rule.token = std::move(admin_token);
  rule.names_key = "admin.tls_clients";
  if (config.cluster.tls) rule.certificate_names = config.admin.tls_clients;
  return rule;
}

CallerRule cluster_callers(const config::Config& config, std::string cluster_token) {
  CallerRule rule;
  rule.token = std::move(cluster_token);
  rule.names_key = "cluster.tls.routers";
  if (config.cluster.tls) rule.certificate_names = config.cluster.tls->routers;
  return rule;
}

}  // namespace postern::auth
