#include "keystore/service/signing_service.h"

#include <string.h>

#include "common/log/log.h"
#include "keystore/service/status.h"

namespace postern::keystore::service {
namespace {

grpc::ServerUnaryReactor* finish(grpc::CallbackServerContext* context, grpc::Status status) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

// Finishes a GetSecret call and wipes the secret value once gRPC has sent (or dropped) it.
class SecretReactor final : public grpc::ServerUnaryReactor {
 public:
  explicit SecretReactor(postern::v1::Secret* reply) : reply_(reply) {}
  void OnDone() override {
    std::string* value = reply_->mutable_value();
    explicit_bzero(value->data(), value->size());
    value->clear();
    delete this;
  }

 private:
  postern::v1::Secret* reply_;
};

}  // namespace

grpc::Status sign_all(KeyVault& vault, const postern::v1::SignRequest& request,
                      postern::v1::SignReply* reply, int* failed_digest) {
  const int n = request.digests_size();
  if (n == 0) return grpc::Status(grpc::INVALID_ARGUMENT, "no digests to sign");
  if (n > kMaxDigestsPerSign) {
    return grpc::Status(grpc::INVALID_ARGUMENT,
                        "too many digests: " + std::to_string(n) + " (at most " +
                            std::to_string(kMaxDigestsPerSign) + " per call)");
  }
  reply->mutable_signatures()->Reserve(n);
  for (int i = 0; i < n; ++i) {
    const postern::v1::DigestToSign& d = request.digests(i);
    auto signed_ = vault.sign(d.domain(), d.selector(), d.digest());
    if (!signed_.ok()) {
      reply->clear_signatures();
      if (failed_digest != nullptr) *failed_digest = i;
      const grpc::Status status = to_status(signed_.error());
      return grpc::Status(status.error_code(),
                          "digest " + std::to_string(i) + " (selector \"" + d.selector() +
                              "\" of domain \"" + d.domain() + "\"): " + status.error_message());
    }
    auto* s = reply->add_signatures();
    s->set_algorithm(std::move(signed_.value().algorithm));
    s->set_signature(std::move(signed_.value().signature));
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* SigningService::Sign(grpc::CallbackServerContext* context,
                                               const postern::v1::SignRequest* request,
                                               postern::v1::SignReply* reply) {
  if (!auth_.authorized(*context)) return finish(context, auth_.refusal("cluster"));
  int failed = -1;
  grpc::Status status = sign_all(vault_, *request, reply, &failed);
  if (!status.ok()) {
    if (failed >= 0) context->AddTrailingMetadata(kFailedDigestTrailer, std::to_string(failed));
    log::get("keystore")->warn("Sign from {} failed: {}", context->peer(), status.error_message());
  }
  return finish(context, std::move(status));
}

grpc::ServerUnaryReactor* SigningService::GetSecret(grpc::CallbackServerContext* context,
                                                    const postern::v1::SecretRef* request,
                                                    postern::v1::Secret* reply) {
  if (!auth_.authorized(*context)) return finish(context, auth_.refusal("cluster"));
  auto secret = vault_.get_secret(request->name());
  if (!secret.ok()) {
    log::get("keystore")->info("GetSecret {} from {}: {}", request->name(), context->peer(),
                               secret.error().message);
    return finish(context, to_status(secret.error()));
  }
  auto* reactor = new SecretReactor(reply);
  reply->set_name(request->name());
  reply->set_username(secret.value().username);
  {
    const SecretBytes::View view = secret.value().value.view();
    reply->set_value(view.bytes().data(), view.bytes().size());
  }
  log::get("keystore")->debug("GetSecret {} from {}", request->name(), context->peer());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace postern::keystore::service
