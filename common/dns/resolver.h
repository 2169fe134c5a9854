// Asynchronous DNS lookups for policy and delivery.
//
// Contract: every lookup completes (never hangs): with records, with nxdomain/nodata (the
// name or the type does not exist: a definite answer), or with temperror (timeout, SERVFAIL,
// network) / permerror (malformed answer or name). Callers decide what each status means for
// them (RFC 5321 5.1: temperror on MX lookup defers delivery; nxdomain bounces).
// Implementations are used from one io_context; they are not thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"

namespace postern::dns {

enum class Status { ok, nxdomain, nodata, temperror, permerror };
const char* to_string(Status);

template <typename T>
struct Answer {
  Status status = Status::temperror;
  std::vector<T> records;
  std::string error;  // human-readable detail for logs when status is not ok
  bool ok() const { return status == Status::ok; }
};

struct MxRecord {
  uint16_t preference = 0;
  std::string host;  // no trailing dot; "" for the RFC 7505 null MX "."
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  virtual boost::asio::awaitable<Answer<MxRecord>> mx(std::string name) = 0;
  virtual boost::asio::awaitable<Answer<boost::asio::ip::address>> a(std::string name) = 0;
  virtual boost::asio::awaitable<Answer<boost::asio::ip::address>> aaaa(std::string name) = 0;
  // Each TXT record's character-strings concatenated (RFC 7208 3.3).
  virtual boost::asio::awaitable<Answer<std::string>> txt(std::string name) = 0;
  virtual boost::asio::awaitable<Answer<std::string>> ptr(boost::asio::ip::address address) = 0;
};

// c-ares on the given executor; servers from config (empty: /etc/resolv.conf).
std::unique_ptr<Resolver> make_cares_resolver(boost::asio::any_io_executor executor,
                                              const config::Dns& dns);

}  // namespace postern::dns
