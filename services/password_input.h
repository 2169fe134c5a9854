// Reading passwords: a new one for `postern hash-password` and posternctl keymgmt exports, an
// existing one for posternctl keymgmt imports.
//
// On a terminal: prompts on stderr with echo off, twice, and refuses a mismatch. Otherwise
// (a pipe, a file): the first line of stdin, without its line ending, so scripts can do
// `postern hash-password < pwfile`. An empty password is refused. Throws std::runtime_error
// with the reason. The caller wipes the returned string after use.
#pragma once

#include <string>

namespace postern::services {

std::string read_new_password();

// An existing password (to open a file): one prompt (`prompt`, echo off) on a terminal,
// otherwise the first line of stdin. An empty password is refused. The caller wipes it.
std::string read_password(const char* prompt);

// Overwrites the string's bytes (not optimized away) and clears it.
void wipe(std::string& secret);

}  // namespace postern::services
