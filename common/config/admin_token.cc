// load_or_create_admin_token (see config.h).
//
// Creation is race-free between processes sharing a data dir (edge and router started side by
// side): the token is written to a private temporary file, synced, then link()ed to its name,
// which fails instead of overwriting when another process got there first; that process's
// token is then read. A reader therefore never sees a half-written token.
#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "common/config/config.h"

namespace postern::config {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw std::runtime_error("token file " + file + ": " + what);
}

std::string errno_text() { return std::strerror(errno); }

std::string read_token(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, "cannot read: " + errno_text());
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' ||
                            token.back() == ' ' || token.back() == '\t')) {
    token.pop_back();
  }
  // A short token is guessable; whoever wrote the file by hand must use a real secret.
  if (token.size() < 32) fail(file, "shorter than 32 characters (delete it to generate one)");
  for (char c : token) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      fail(file, "contains spaces or control characters");
    }
  }
  return token;
}

std::string random_hex_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("token: no randomness available (RAND_bytes failed)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

// Writes `token` to a new file `tmp` with mode 0600 and syncs it.
void write_private_file(const std::string& file, const std::string& tmp, const std::string& token) {
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail(file, "cannot create " + tmp + ": " + errno_text());
  const std::string line = token + "\n";
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = errno_text();
      ::close(fd);
      ::unlink(tmp.c_str());
      fail(file, "cannot write " + tmp + ": " + why);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    fail(file, "cannot sync " + tmp + ": " + why);
  }
}

std::string load_or_create_token(const std::string& file, const char* key) {
  if (file.empty()) fail("(unset)", std::string(key) + " is empty");
  std::error_code ec;
  if (fs::exists(file, ec)) return read_token(file);

  const fs::path parent = fs::path(file).parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) fail(file, "cannot create directory " + parent.string() + ": " + ec.message());
  }
  const std::string token = random_hex_token();
  const std::string tmp = file + ".tmp." + std::to_string(::getpid());
  write_private_file(file, tmp, token);
  const int linked = ::link(tmp.c_str(), file.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST) return read_token(file);  // another process created it first
    fail(file, std::string("cannot create: ") + std::strerror(link_errno));
  }
  return token;
}

}  // namespace

std::string load_or_create_admin_token(const Config& config) {
  return load_or_create_token(config.admin.token_file, "admin.token_file");
}

std::string load_or_create_cluster_token(const Config& config) {
  return load_or_create_token(config.cluster.token_file, "cluster.token_file");
}

}  // namespace postern::config
