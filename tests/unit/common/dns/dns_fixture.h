// Test support: the dnslib fixture server (dns_fixture.py) as an object.
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
  // Extra zone text (RFC 1035 master file lines) is served in addition to the built-in zone.
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
