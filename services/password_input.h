// Reading a new password for `postern hash-password`.
//
// On a terminal: prompts on stderr with echo off, twice, and refuses a mismatch. Otherwise
// (a pipe, a file): the first line of stdin, without its line ending, so scripts can do
// `postern hash-password < pwfile`. An empty password is refused. Throws std::runtime_error
// with the reason. The caller wipes the returned string after use.
#pragma once

#include <string>

namespace postern::services {

std::string read_new_password();

// Overwrites the string's bytes (not optimized away) and clears it.
void wipe(std::string& secret);

}  // namespace postern::services
