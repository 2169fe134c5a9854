#include "tests/unit/common/dns/dns_fixture.h"

namespace postern::testing {

DnsFixture::DnsFixture(const std::string& extra_zone) {
  std::vector<std::string> argv{"/usr/bin/python3",
                                source_path("tests/support"),
                                "dns-server",
                                "--zone-file",
                                source_path("tests/unit/common/dns/fixture.zone"),
                                "--silent-domain",
                                "silent.test",
                                "--servfail-domain",
                                "servfail.test"};
  if (!extra_zone.empty()) {
    argv.push_back("--zone-file");
    argv.push_back(dir_.write("extra.zone", extra_zone));
  }
  process_ = std::make_unique<ChildProcess>(argv);
  port_ = process_->await_port();
}

config::Dns DnsFixture::config(std::chrono::milliseconds timeout, int tries) const {
  config::Dns dns;
  dns.servers.push_back(config::HostPort{"127.0.0.1", port_});
  dns.timeout = timeout;
  dns.tries = tries;
  return dns;
}

}  // namespace postern::testing
