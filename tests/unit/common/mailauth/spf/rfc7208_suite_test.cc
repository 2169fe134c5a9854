// The public RFC 7208 conformance suite (openspf 2014.04, ../shared/suites/spf/) through the
// real resolver code path: suite_dns.py serves each section's zonedata on 127.0.0.1, the
// c-ares resolver queries it, and check_mail_from() evaluates every scenario. A scenario
// passes when the result is one of those listed and, where the suite gives an explanation
// other than DEFAULT, the explanation matches (ASCII case-insensitively: the suite writes
// %{i} nibbles of IPv6 in upper case while RFC 7208 7.4 shows them lower case).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <iostream>

#include "common/mailauth/spf/check_host.h"
#include "tests/unit/common/dns/child_process.h"
#include "tests/unit/common/dns/run_awaitable.h"

namespace postern::spf {
namespace {

namespace asio = boost::asio;

const std::string kSuite = POSTERN_SPF_SUITE;

// Cases deliberately not run, with the reason (empty: all run).
const std::map<std::string, std::string> kSkipped = {};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> expected_results(const YAML::Node& node) {
  std::vector<std::string> out;
  if (node.IsSequence())
    for (const auto& item : node) out.push_back(item.as<std::string>());
  else
    out.push_back(node.as<std::string>());
  return out;
}

TEST(Rfc7208Suite, EveryScenario) {
  ASSERT_TRUE(std::filesystem::exists(kSuite))
      << "the RFC 7208 suite is missing: expected it at " << kSuite
      << " (the CI layout is <checkout>/../shared/suites/spf/rfc7208-tests.yml)";
  const std::vector<YAML::Node> sections = YAML::LoadAllFromFile(kSuite);
  ASSERT_GE(sections.size(), 10u);

  testing::ChildProcess server({"/usr/bin/python3",
                                testing::source_path("tests/unit/common/mailauth/spf/suite_dns.py"),
                                kSuite});
  std::vector<uint16_t> ports;
  for (std::size_t i = 0; i < sections.size(); ++i)
    ports.push_back(server.await_port("SECTION" + std::to_string(i)));

  asio::io_context io;
  int total = 0, passed = 0, skipped = 0;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    config::Dns dns;
    dns.servers.push_back(config::HostPort{"127.0.0.1", ports[i]});
    dns.timeout = std::chrono::milliseconds(300);  // TIMEOUT entries never answer
    dns.tries = 1;
    auto resolver = dns::make_cares_resolver(io.get_executor(), dns);
    for (const auto& entry : sections[i]["tests"]) {
      const std::string name = entry.first.as<std::string>();
      const YAML::Node& t = entry.second;
      ++total;
      if (kSkipped.count(name)) {
        ++skipped;
        continue;
      }
      SCOPED_TRACE("scenario " + name + " (" + sections[i]["description"].as<std::string>() + ")");
      const auto ip = asio::ip::make_address(t["host"].as<std::string>());
      const Verdict v = testing::run_awaitable(
          io, check_mail_from(*resolver, ip, t["mailfrom"].as<std::string>(),
                              t["helo"].as<std::string>(), "receiver.test"));
      const auto results = expected_results(t["result"]);
      bool ok = std::find(results.begin(), results.end(), std::string(to_string(v.result))) !=
                results.end();
      EXPECT_TRUE(ok) << "got " << to_string(v.result) << " (" << v.problem << ", mechanism "
                      << v.mechanism << ")";
      if (t["explanation"] && t["explanation"].as<std::string>() != "DEFAULT") {
        const bool same = lower(v.explanation) == lower(t["explanation"].as<std::string>());
        EXPECT_TRUE(same) << "explanation \"" << v.explanation << "\", expected \""
                          << t["explanation"].as<std::string>() << "\"";
        ok = ok && same;
      }
      if (ok) ++passed;
    }
  }
  std::cout << "RFC 7208 suite: " << passed << " of " << total << " scenarios passed, "
            << skipped << " skipped\n";
  EXPECT_EQ(total, 203);
  EXPECT_EQ(passed + skipped, total);
}

}  // namespace
}  // namespace postern::spf
