#include "common/auth/grpc_authorizer.h"

#include <grpc/grpc_security_constants.h>

#include "common/log/log.h"

namespace postern::auth {
namespace {

std::string_view view(const grpc::string_ref& s) { return {s.data(), s.size()}; }

}  // namespace

PeerCertificate peer_certificate(const grpc::AuthContext& context) {
  PeerCertificate out;
  bool ssl = false;
  for (const auto& type : context.FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME)) {
    if (view(type) == GRPC_SSL_TRANSPORT_SECURITY_TYPE) ssl = true;
  }
  if (!ssl || !context.IsPeerAuthenticated()) return out;
  out.verified = true;
  for (const char* property : {GRPC_X509_CN_PROPERTY_NAME, GRPC_PEER_DNS_PROPERTY_NAME}) {
    for (const auto& value : context.FindPropertyValues(property)) {
      out.names.emplace_back(view(value));
    }
  }
  return out;
}

CallAuthorizer::CallAuthorizer(std::string component, std::string service, CallerRule rule)
    : component_(std::move(component)), service_(std::move(service)), rule_(std::move(rule)) {}

bool CallAuthorizer::authorized(const grpc::ServerContextBase& context) const {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  const std::string_view value = it == metadata.end() ? std::string_view() : view(it->second);
  PeerCertificate peer;
  if (const auto auth = context.auth_context()) peer = peer_certificate(*auth);
  if (authorize(rule_, value, peer) != Grant::refused) return true;
  log::get(component_)->warn(
      "{} call from {} refused: bad or missing token{}", service_, context.peer(),
      peer.verified ? " and a client certificate not allowed here"
                    : (!rule_.certificate_names.empty()
                           ? ", no verified client certificate"
                           : ""));
  return false;
}

grpc::Status unauthenticated(const CallerRule& rule, std::string_view which_token) {
  std::string message = "missing or wrong " + std::string(which_token) + " token";
  if (!rule.certificate_names.empty()) {
    message += " or client certificate listed in " + rule.names_key;
  }
  return grpc::Status(grpc::UNAUTHENTICATED, message);
}

}  // namespace postern::auth
