#include "keystore/service/key_management_service.h"

#include <string.h>

#include <string_view>
#include <utility>

#include "common/log/log.h"
#include "keystore/service/convert.h"
#include "keystore/service/status.h"

namespace postern::keystore::service {
namespace {

std::shared_ptr<spdlog::logger> logger() { return log::get("keystore"); }

// A refused or failed call: logged with the verb and the vault's message (which never holds
// secrets), answered with the mapped status.
grpc::Status failed(std::string_view verb, const Error& error) {
  logger()->warn("keymgmt {} failed: {}", verb, error.message);
  return to_status(error);
}

// Overwrites a request field that held a password, PEM key or secret value. The request
// object belongs to gRPC and is not const in memory; it lives until the call is done.
void wipe(const std::string& field) {
  auto& s = const_cast<std::string&>(field);
  explicit_bzero(s.data(), s.size());
  s.clear();
}

std::string key_name(std::string_view domain, std::string_view selector) {
  return std::string(selector) + "._domainkey." + std::string(domain);
}

}  // namespace

KeyManagementService::Reactor* KeyManagementService::run(Ctx* context,
                                                         std::function<grpc::Status()> work) {
  auto* reactor = context->DefaultReactor();
  if (!auth_.authorized(*context)) {
    reactor->Finish(auth_.refusal("admin"));
    return reactor;
  }
  worker_.post([reactor, work = std::move(work)] { reactor->Finish(work()); });
  return reactor;
}

KeyManagementService::Reactor* KeyManagementService::ShowIdentity(
    Ctx* context, const postern::v1::ShowIdentityRequest*, postern::v1::IdentityInfo* reply) {
  return run(context, [this, reply] {
    reply->set_public_key_base64(vault_.identity().public_key_base64());
    reply->set_node(node_name_);
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::CreateNek(
    Ctx* context, const postern::v1::CreateNekRequest* request, postern::v1::NekInfo* reply) {
  return run(context, [this, request, reply] {
    auto nek = vault_.create_nek(request->name());
    if (!nek.ok()) return failed("create nek", nek.error());
    to_proto(nek.value(), reply);
    logger()->info("keymgmt create nek {}: fingerprint {}", nek.value().name,
                   nek.value().fingerprint);
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::ListNeks(
    Ctx* context, const postern::v1::ListNeksRequest*, postern::v1::ListNeksReply* reply) {
  return run(context, [this, reply] {
    auto neks = vault_.list_neks();
    if (!neks.ok()) return failed("list nek", neks.error());
    for (const NekInfo& n : neks.value()) to_proto(n, reply->add_neks());
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::ExportNek(
    Ctx* context, const postern::v1::ExportNekRequest* request, postern::v1::ExportedFile* reply) {
  return run(context, [this, request, reply] {
    auto file = vault_.export_nek(request->name(), request->password());
    wipe(request->password());
    if (!file.ok()) return failed("export nek", file.error());
    reply->set_content(std::move(file.value()));
    auto neks = vault_.list_neks();
    if (neks.ok()) {
      for (const NekInfo& n : neks.value()) {
        if (n.name == request->name()) reply->set_fingerprint(n.fingerprint);
      }
    }
    logger()->info("keymgmt export nek {}: fingerprint {}", request->name(), reply->fingerprint());
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::ImportNek(
    Ctx* context, const postern::v1::ImportNekRequest* request, postern::v1::NekInfo* reply) {
  return run(context, [this, request, reply] {
    auto nek = vault_.import_nek(request->content(), request->password(), request->overwrite());
    wipe(request->password());
    if (!nek.ok()) return failed("import nek", nek.error());
    to_proto(nek.value(), reply);
    logger()->info("keymgmt import nek {}{}: fingerprint {}", nek.value().name,
                   request->overwrite() ? " (overwrite)" : "", nek.value().fingerprint);
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::CreateCredstore(
    Ctx* context, const postern::v1::CreateCredstoreRequest* request,
    postern::v1::CredstoreInfo* reply) {
  return run(context, [this, request, reply] {
    auto store = vault_.create_credstore(request->nek());
    if (!store.ok()) return failed("create credstore", store.error());
    to_proto(store.value(), reply);
    logger()->info("keymgmt create credstore: sealed under NEK {} (fingerprint {})",
                   store.value().nek, store.value().nek_fingerprint);
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::ShowCredstore(
    Ctx* context, const postern::v1::ShowCredstoreRequest*, postern::v1::CredstoreInfo* reply) {
  return run(context, [this, reply] {
    auto store = vault_.credstore();
    if (!store.ok()) return failed("show credstore", store.error());
    to_proto(store.value(), reply);
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::CreateDkim(
    Ctx* context, const postern::v1::CreateDkimRequest* request, postern::v1::DkimKeyInfo* reply) {
  return run(context, [this, request, reply] {
    const auto type = from_proto(request->type());
    if (!type) {
      return failed("create dkim", make_error(Errc::invalid_argument,
                                              "key type must be rsa or ed25519"));
    }
    auto key = vault_.create_dkim(request->domain(), request->selector(), *type,
                                  static_cast<int>(request->bits()));
    if (!key.ok()) return failed("create dkim", key.error());
    to_proto(key.value(), reply);
    logger()->info("keymgmt create dkim {} ({} {}): fingerprint {}",
                   key_name(key.value().domain, key.value().selector),
                   key.value().type == KeyType::rsa ? "rsa" : "ed25519", key.value().bits,
                   key.value().fingerprint);
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::ImportDkim(
    Ctx* context, const postern::v1::ImportDkimRequest* request, postern::v1::DkimKeyInfo* reply) {
  return run(context, [this, request, reply] {
    auto key = vault_.import_dkim(request->domain(), request->selector(), request->pem(),
                                  request->overwrite());
    wipe(request->pem());
    if (!key.ok()) return failed("import dkim", key.error());
    to_proto(key.value(), reply);
    logger()->info("keymgmt import dkim {}{}: fingerprint {}",
                   key_name(key.value().domain, key.value().selector),
                   request->overwrite() ? " (overwrite)" : "", key.value().fingerprint);
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::ListDkim(
    Ctx* context, const postern::v1::ListDkimRequest* request, postern::v1::ListDkimReply* reply) {
  return run(context, [this, request, reply] {
    auto keys = vault_.list_dkim(request->domain());
    if (!keys.ok()) return failed("list dkim", keys.error());
    for (const DkimKeyInfo& k : keys.value()) to_proto(k, reply->add_keys());
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::DeleteDkim(
    Ctx* context, const postern::v1::DkimRef* request, postern::v1::DeleteReply* reply) {
  return run(context, [this, request, reply] {
    auto existed = vault_.delete_dkim(request->domain(), request->selector());
    if (!existed.ok()) return failed("delete dkim", existed.error());
    reply->set_existed(existed.value());
    logger()->info("keymgmt delete dkim {}: {}", key_name(request->domain(), request->selector()),
                   existed.value() ? "deleted" : "was not there");
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::ExportDkimBundle(
    Ctx* context, const postern::v1::ExportDkimBundleRequest* request,
    postern::v1::ExportedFile* reply) {
  return run(context, [this, request, reply] {
    BundleProtection protection;
    switch (request->protection_case()) {
      case postern::v1::ExportDkimBundleRequest::kPassword:
        protection.password = request->password();
        wipe(request->password());
        break;
      case postern::v1::ExportDkimBundleRequest::kRecipientPublicKey: {
        auto key = parse_identity_public_key(request->recipient_public_key());
        if (!key.ok()) return failed("export dkim bundle", key.error());
        protection.recipient_public_key = std::move(key.value());
        break;
      }
      default:
        return failed("export dkim bundle",
                      make_error(Errc::invalid_argument,
                                 "a bundle needs a password or a recipient public key"));
    }
    auto bundle = vault_.export_dkim_bundle(request->domain(), request->selector(), protection);
    if (protection.password) wipe(*protection.password);
    if (!bundle.ok()) return failed("export dkim bundle", bundle.error());
    reply->set_content(std::move(bundle.value().content));
    for (const DkimKeyInfo& k : bundle.value().keys) {
      to_proto(k, reply->add_keys());
      logger()->info("keymgmt export dkim bundle ({}): {} fingerprint {}",
                     protection.password ? "password" : "recipient identity",
                     key_name(k.domain, k.selector), k.fingerprint);
    }
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::ImportBundle(
    Ctx* context, const postern::v1::ImportBundleRequest* request,
    postern::v1::ImportBundleReply* reply) {
  return run(context, [this, request, reply] {
    auto result = vault_.import_bundle(request->content(), request->password(),
                                       request->overwrite());
    wipe(request->password());
    if (!result.ok()) return failed("import credstore bundle", result.error());
    for (const DkimKeyInfo& k : result.value().imported) {
      to_proto(k, reply->add_imported());
      logger()->info("keymgmt import bundle: {} imported, fingerprint {}",
                     key_name(k.domain, k.selector), k.fingerprint);
    }
    for (const DkimKeyInfo& k : result.value().unchanged) {
      to_proto(k, reply->add_unchanged());
      logger()->info("keymgmt import bundle: {} unchanged, fingerprint {}",
                     key_name(k.domain, k.selector), k.fingerprint);
    }
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::SetSecret(
    Ctx* context, const postern::v1::SetSecretRequest* request, postern::v1::SecretInfo* reply) {
  return run(context, [this, request, reply] {
    auto info = vault_.set_secret(request->name(), request->username(), request->value());
    wipe(request->value());
    if (!info.ok()) return failed("set secret", info.error());
    to_proto(info.value(), reply);
    logger()->info("keymgmt set secret {}", info.value().name);
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::ListSecrets(
    Ctx* context, const postern::v1::ListSecretsRequest*, postern::v1::ListSecretsReply* reply) {
  return run(context, [this, reply] {
    auto secrets = vault_.list_secrets();
    if (!secrets.ok()) return failed("list secret", secrets.error());
    for (const SecretInfo& s : secrets.value()) to_proto(s, reply->add_secrets());
    return grpc::Status::OK;
  });
}

KeyManagementService::Reactor* KeyManagementService::DeleteSecret(
    Ctx* context, const postern::v1::SecretRef* request, postern::v1::DeleteReply* reply) {
  return run(context, [this, request, reply] {
    auto existed = vault_.delete_secret(request->name());
    if (!existed.ok()) return failed("delete secret", existed.error());
    reply->set_existed(existed.value());
    logger()->info("keymgmt delete secret {}: {}", request->name(),
                   existed.value() ? "deleted" : "was not there");
    return grpc::Status::OK;
  });
}

}  // namespace postern::keystore::service
