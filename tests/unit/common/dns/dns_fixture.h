// Test support: an authoritative DNS server on 127.0.0.1 for the C++ tests: the project's
// python3-dnslib test server (tests/support/dns_server.py, run as `python3 tests/support
// dns-server`) serving fixture.zone. Names under silent.test are never answered (resolver
// timeouts) and names under servfail.test get SERVFAIL.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "tests/unit/common/dns/child_process.h"

namespace postern::testing {

class DnsFixture {
 public:
  // Extra zone text (RFC 1035 master file lines) is served in addition to fixture.zone.
  explicit DnsFixture(const std::string& extra_zone = {});
  uint16_t port() const { return port_; }
  // A dns config section pointing at this server.
  config::Dns config(std::chrono::milliseconds timeout = std::chrono::milliseconds(500),
                     int tries = 2) const;

 private:
  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
  uint16_t port_ = 0;
};

}  // namespace postern::testing
