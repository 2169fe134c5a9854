#include "keystore/service/convert.h"

namespace postern::keystore::service {

postern::v1::DkimKeyType to_proto(KeyType type) {
  switch (type) {
    case KeyType::rsa: return postern::v1::DKIM_KEY_TYPE_RSA;
    case KeyType::ed25519: return postern::v1::DKIM_KEY_TYPE_ED25519;
  }
  return postern::v1::DKIM_KEY_TYPE_UNSPECIFIED;
}

std::optional<KeyType> from_proto(postern::v1::DkimKeyType type) {
  switch (type) {
    case postern::v1::DKIM_KEY_TYPE_RSA: return KeyType::rsa;
    case postern::v1::DKIM_KEY_TYPE_ED25519: return KeyType::ed25519;
    default: return std::nullopt;
  }
}

void to_proto(const NekInfo& in, postern::v1::NekInfo* out) {
  out->set_name(in.name);
  out->set_fingerprint(in.fingerprint);
}

void to_proto(const CredstoreInfo& in, postern::v1::CredstoreInfo* out) {
  out->set_nek(in.nek);
  out->set_nek_fingerprint(in.nek_fingerprint);
  out->set_dkim_keys(in.dkim_keys);
  out->set_secrets(in.secrets);
}

void to_proto(const DkimKeyInfo& in, postern::v1::DkimKeyInfo* out) {
  out->set_domain(in.domain);
  out->set_selector(in.selector);
  out->set_type(to_proto(in.type));
  out->set_bits(static_cast<uint32_t>(in.bits));
  out->set_fingerprint(in.fingerprint);
  out->set_dns_name(in.dns_name);
  out->set_dns_value(in.dns_value);
  out->set_created_unix(in.created_unix);
}

void to_proto(const SecretInfo& in, postern::v1::SecretInfo* out) {
  out->set_name(in.name);
  out->set_username(in.username);
  out->set_updated_unix(in.updated_unix);
}

}  // namespace postern::keystore::service
