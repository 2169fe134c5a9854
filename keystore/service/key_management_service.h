// gRPC adapter for postern.v1.KeyManagement (posternctl keymgmt): NEKs, the credential store,
// DKIM keys and bundles, secrets. Thin: each call translates its request into one vault call
// (keystore/vault.h) and the result into the reply or a status (status.h).
//
// Calls run one at a time on a SerialWorker (serial_worker.h), off gRPC's threads, so slow
// admin work (Argon2id, RSA generation) never holds up the signing oracle.
//
// SECURITY: every call is refused with UNAUTHENTICATED before its fields are read unless it
// carries the admin token (auth.h). Requests carry passwords, PEM private keys and secret
// values: they are never logged (a call logs its verb, the names it touched and fingerprints),
// and those request fields are wiped once the vault has used them. Replies hold only public
// data (names, fingerprints, DNS records) and password- or identity-sealed files.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>

#include "keystore/service/auth.h"
#include "keystore/service/serial_worker.h"
#include "keystore/vault.h"
#include "postern/v1/keystore.grpc.pb.h"

namespace postern::keystore::service {

class KeyManagementService final : public postern::v1::KeyManagement::CallbackService {
 public:
  // `admin_token` must not be empty. `node_name` is what ShowIdentity reports.
  KeyManagementService(KeyVault& vault, std::string admin_token, std::string node_name)
      : vault_(vault), auth_("KeyManagement", std::move(admin_token)),
        node_name_(std::move(node_name)) {}
  // The admin token or a certificate named in admin.tls_clients (auth::admin_callers).
  KeyManagementService(KeyVault& vault, auth::CallerRule callers, std::string node_name)
      : vault_(vault), auth_("KeyManagement", std::move(callers)),
        node_name_(std::move(node_name)) {}

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;
  Reactor* ShowIdentity(Ctx*, const postern::v1::ShowIdentityRequest*,
                        postern::v1::IdentityInfo*) override;
  Reactor* CreateNek(Ctx*, const postern::v1::CreateNekRequest*, postern::v1::NekInfo*) override;
  Reactor* ListNeks(Ctx*, const postern::v1::ListNeksRequest*,
                    postern::v1::ListNeksReply*) override;
  Reactor* ExportNek(Ctx*, const postern::v1::ExportNekRequest*,
                     postern::v1::ExportedFile*) override;
  Reactor* ImportNek(Ctx*, const postern::v1::ImportNekRequest*, postern::v1::NekInfo*) override;
  Reactor* CreateCredstore(Ctx*, const postern::v1::CreateCredstoreRequest*,
                           postern::v1::CredstoreInfo*) override;
  Reactor* ShowCredstore(Ctx*, const postern::v1::ShowCredstoreRequest*,
                         postern::v1::CredstoreInfo*) override;
  Reactor* CreateDkim(Ctx*, const postern::v1::CreateDkimRequest*,
                      postern::v1::DkimKeyInfo*) override;
  Reactor* ImportDkim(Ctx*, const postern::v1::ImportDkimRequest*,
                      postern::v1::DkimKeyInfo*) override;
  Reactor* ListDkim(Ctx*, const postern::v1::ListDkimRequest*,
                    postern::v1::ListDkimReply*) override;
  Reactor* DeleteDkim(Ctx*, const postern::v1::DkimRef*, postern::v1::DeleteReply*) override;
  Reactor* ExportDkimBundle(Ctx*, const postern::v1::ExportDkimBundleRequest*,
                            postern::v1::ExportedFile*) override;
  Reactor* ImportBundle(Ctx*, const postern::v1::ImportBundleRequest*,
                        postern::v1::ImportBundleReply*) override;
  Reactor* SetSecret(Ctx*, const postern::v1::SetSecretRequest*,
                     postern::v1::SecretInfo*) override;
  Reactor* ListSecrets(Ctx*, const postern::v1::ListSecretsRequest*,
                       postern::v1::ListSecretsReply*) override;
  Reactor* DeleteSecret(Ctx*, const postern::v1::SecretRef*, postern::v1::DeleteReply*) override;

 private:
  // Checks the token, then runs `work` on the worker and finishes the call with its status.
  Reactor* run(Ctx* context, std::function<grpc::Status()> work);

  KeyVault& vault_;
  TokenCheck auth_;
  std::string node_name_;
  SerialWorker worker_;  // last: joined first, while the members its tasks use still exist
};

}  // namespace postern::keystore::service
