// Translation between the vault's types (keystore/vault.h) and the keystore.proto messages.
// Pure and public-only: none of these types carries key material or a secret value.
#pragma once

#include <optional>

#include "keystore/vault.h"
#include "postern/v1/keystore.pb.h"

namespace postern::keystore::service {

postern::v1::DkimKeyType to_proto(KeyType type);
// nullopt for DKIM_KEY_TYPE_UNSPECIFIED or an unknown value.
std::optional<KeyType> from_proto(postern::v1::DkimKeyType type);

void to_proto(const NekInfo& in, postern::v1::NekInfo* out);
void to_proto(const CredstoreInfo& in, postern::v1::CredstoreInfo* out);
void to_proto(const DkimKeyInfo& in, postern::v1::DkimKeyInfo* out);
void to_proto(const SecretInfo& in, postern::v1::SecretInfo* out);

}  // namespace postern::keystore::service
