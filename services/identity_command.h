// `postern keystore-identity create|show FILE`: the keystore's node identity file
// (keystore/identity.h) made and inspected offline, so an operator can create it once and hand
// it to Kubernetes as a Secret:
//   postern keystore-identity create identity.key
//   kubectl -n postern create secret generic postern-keystore-identity --from-file=identity.key
//
// create: writes a new identity file (mode 0600, atomically; never replaces anything that
//   exists at FILE, a symlink included) and prints its public key.
// show:   loads FILE with the keystore's own checks (regular file, mode 0600, size, magic,
//   check, key pair) and prints its public key.
// Both print "public key: <base64>", the line `posternctl keymgmt show identity` prints for a
// keystore running with that file. Exit codes: 0 ok, 1 failure (the reason on `err`).
//
// SECURITY: the file holds the keystore's X25519 secret. It is read and written only through
// keystore::Identity (guarded memory, mode 0600, O_NOFOLLOW); nothing but the public key is
// printed, and error messages name the path, never key bytes.
#pragma once

#include <iosfwd>
#include <string>

namespace postern::services {

int identity_create(const std::string& path, std::ostream& out, std::ostream& err);
int identity_show(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace postern::services
