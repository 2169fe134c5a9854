// Checking AUTH credentials against the directory, off the I/O threads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <map>
#include <optional>
#include <string>

#include "common/config/config.h"
#include "edge/sasl.h"

namespace postern::edge {

class CredentialVerifier {
 public:
  virtual ~CredentialVerifier() = default;
  // The authenticated identity, or nullopt. Completes on the awaiting coroutine's executor.
  virtual boost::asio::awaitable<std::optional<std::string>> verify(Credentials credentials) = 0;
};

// Users of config.directory: the login is any of a user's addresses (case-insensitive); the
// identity returned is that user's first address. Argon2id verification runs on a small
// thread pool (it is slow by design), so I/O threads never block on it. Unknown users cost
// the same time as known ones (a dummy hash is verified), so logins cannot be enumerated by
// timing. Passwords are wiped from memory after use.
class DirectoryVerifier : public CredentialVerifier {
 public:
  explicit DirectoryVerifier(const config::Directory& directory, std::size_t threads = 1);
  ~DirectoryVerifier() override;

  boost::asio::awaitable<std::optional<std::string>> verify(Credentials credentials) override;

 private:
  struct Entry {
    std::string identity;
    std::string hash;
  };
  std::optional<std::string> check(Credentials& credentials) const;  // runs on pool_

  std::map<std::string, Entry> logins_;  // lower-cased address -> entry
  std::string dummy_hash_;
  boost::asio::thread_pool pool_;
};

}  // namespace postern::edge
