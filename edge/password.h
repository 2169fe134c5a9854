// Password hashing for the directory: Argon2id via libsodium (crypto_pwhash_str), with
// OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE. Output is the PHC string "$argon2id$v=19$...".
//
// Both functions are slow and memory-hungry by design (~64 MiB, ~0.1 s): never call them on
// an I/O thread (DirectoryVerifier runs them on its own pool).
#pragma once

#include <string>
#include <string_view>

namespace postern::edge {

// Throws std::runtime_error when libsodium cannot be initialised or runs out of memory.
std::string hash_password(std::string_view password);

// False for a wrong password and for a hash that is not a valid Argon2 string.
bool verify_password(std::string_view hash, std::string_view password);

}  // namespace postern::edge
