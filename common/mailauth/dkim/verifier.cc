#include "common/mailauth/dkim/verifier.h"

#include <map>
#include <string>

namespace postern::mailauth::dkim {
namespace {

// Values are coroutine parameters, not lambda captures (GCC 12 co_spawn double-free).
boost::asio::awaitable<Verification> lookup_keys(dns::Resolver& resolver,
                                                 PreparedMessage prepared,
                                                 VerifyOptions options) {
  Verification out;
  out.ignored = prepared.ignored;
  std::map<std::string, dns::Answer<std::string>> answers;  // one query per key name
  for (const PreparedSignature& sig : prepared.signatures) {
    if (sig.decided) {
      out.signatures.push_back(sig.result);
      continue;
    }
    auto it = answers.find(sig.key_name);
    if (it == answers.end()) {
      dns::Answer<std::string> answer = co_await resolver.txt(sig.key_name);
      it = answers.emplace(sig.key_name, std::move(answer)).first;
    }
    out.signatures.push_back(conclude(sig, it->second, options));
  }
  co_return out;
}

}  // namespace

boost::asio::awaitable<Verification> verify_message(dns::Resolver& resolver,
                                                    std::string_view message, int64_t now,
                                                    VerifyOptions options) {
  return lookup_keys(resolver, prepare(message, now, options), options);
}

}  // namespace postern::mailauth::dkim
