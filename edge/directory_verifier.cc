#include <sodium.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "edge/credential_verifier.h"
#include "edge/password.h"

namespace postern::edge {
namespace asio = boost::asio;

namespace {
std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}
}  // namespace

DirectoryVerifier::DirectoryVerifier(const config::Directory& directory, std::size_t threads)
    : pool_(threads) {
  for (const auto& user : directory.users) {
    if (user.addresses.empty()) continue;
    for (const auto& address : user.addresses)
      logins_.emplace(lower(address), Entry{user.addresses.front(), user.password});
  }
  dummy_hash_ = hash_password("postern-dummy-password-for-timing");
}

DirectoryVerifier::~DirectoryVerifier() { pool_.join(); }

std::optional<std::string> DirectoryVerifier::check(Credentials& c) const {
  auto it = logins_.find(lower(c.username));
  const bool known = it != logins_.end() && !it->second.hash.empty();
  const bool ok = verify_password(known ? it->second.hash : dummy_hash_, c.password) && known;
  sodium_memzero(c.password.data(), c.password.size());
  if (!ok) return std::nullopt;
  return it->second.identity;
}

// Not a coroutine on purpose: async_initiate returns the awaitable itself, and GCC 12
// mishandles lambda init-captures of coroutine parameters (double destruction).
asio::awaitable<std::optional<std::string>> DirectoryVerifier::verify(Credentials credentials) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::optional<std::string>)>(
      [this](auto handler, Credentials c) {
        asio::post(pool_, [this, c = std::move(c), handler = std::move(handler)]() mutable {
          std::optional<std::string> result = check(c);
          auto ex = asio::get_associated_executor(handler);
          asio::post(ex, [handler = std::move(handler), result = std::move(result)]() mutable {
            std::move(handler)(std::move(result));
          });
        });
      },
      asio::use_awaitable, std::move(credentials));
}

}  // namespace postern::edge
