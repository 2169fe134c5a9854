#include "services/identity_command.h"

#include <ostream>

#include "keystore/identity.h"

namespace postern::services {
namespace {

constexpr int kExitFailure = 1;

void print_public_key(const keystore::Identity& id, std::ostream& out) {
  out << "public key: " << id.public_key_base64() << "\n";
}

}  // namespace

int identity_create(const std::string& path, std::ostream& out, std::ostream& err) {
  const keystore::Result<keystore::Identity> id = keystore::Identity::create(path);
  if (!id.ok()) {
    err << "postern keystore-identity create: " << id.error().message;
    if (id.error().code == keystore::Errc::invalid_argument) err << "; refusing to overwrite it";
    err << "\n";
    return kExitFailure;
  }
  out << "created " << path << " (mode 0600)\n";
  print_public_key(id.value(), out);
  return 0;
}

int identity_show(const std::string& path, std::ostream& out, std::ostream& err) {
  const keystore::Result<keystore::Identity> id = keystore::Identity::load(path);
  if (!id.ok()) {
    err << "postern keystore-identity show: " << id.error().message << "\n";
    return kExitFailure;
  }
  print_public_key(id.value(), out);
  return 0;
}

}  // namespace postern::services
