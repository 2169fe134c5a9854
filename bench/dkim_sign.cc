// DKIM signatures per second through the whole signing path router -> keystore: the router's
// gRPC KeystoreClient (router/signing/grpc_keystore_client.h, which coalesces concurrent
// messages into shared Keystore.Sign requests) against a running `postern keystore`, which
// unseals nothing per call (keys are loaded) and signs the digests. N "messages" are in
// flight at once from one io_context thread, as on the router's delivery thread; each asks
// for one signature per selector given (e.g. "rsa2048" or "rsa2048,ed"). Compare with
// `openssl speed` (bench/dkim_sign.sh runs both).
//
// Usage: dkim_sign_bench KEYSTORE(host:port) TOKEN_FILE DOMAIN SELECTORS
//                        [concurrency=16] [seconds=5] [max requests in flight=4]
//                        [keystore pid: also report keystore CPU seconds]
// Prints one line: "<selectors> <algorithms> messages=N in_flight=F signatures=S seconds=T
// rate=R/s requests=Q digests/request=D errors=E [keystore_cpu=C sig/cpu-s=X]".
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

#include "common/config/host_port.h"
#include "router/signing/grpc_keystore_client.h"

namespace {

namespace asio = boost::asio;
using postern::router::signing::DigestToSign;
using postern::router::signing::GrpcKeystoreClient;
using Clock = std::chrono::steady_clock;

struct Totals {
  uint64_t signatures = 0;
  uint64_t errors = 0;
  std::set<std::string> algorithms;
  std::string last_error;
};

// One message after another, each asking for one signature per selector.
asio::awaitable<void> worker(GrpcKeystoreClient& client, std::string domain,
                             std::vector<std::string> selectors, uint64_t seed,
                             Clock::time_point end, Totals& totals) {
  uint64_t n = seed << 40;
  do {
    std::vector<DigestToSign> digests;
    for (const auto& selector : selectors) {
      std::string digest(32, '\0');
      for (int k = 0; k < 8; ++k) digest[static_cast<std::size_t>(k)] = static_cast<char>(n >> (8 * k));
      ++n;
      digests.push_back(DigestToSign{domain, selector, std::move(digest)});
    }
    auto result = co_await client.sign(std::move(digests));
    if (result.ok) {
      totals.signatures += result.signatures.size();
      for (const auto& s : result.signatures) totals.algorithms.insert(s.algorithm);
    } else {
      ++totals.errors;
      totals.last_error = result.error;
    }
  } while (Clock::now() < end);
}

// utime + stime of `pid` in seconds (/proc/PID/stat fields 14 and 15), or -1.
double cpu_seconds(long pid) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, ',');) out.push_back(part);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: dkim_sign_bench KEYSTORE TOKEN_FILE DOMAIN SELECTORS [concurrency] "
                 "[seconds] [max in flight] [keystore pid]\n";
    return 2;
  }
  const int concurrency = argc > 5 ? std::stoi(argv[5]) : 16;
  const int seconds = argc > 6 ? std::stoi(argv[6]) : 5;
  const int in_flight = argc > 7 ? std::stoi(argv[7]) : postern::router::signing::kDefaultMaxSignInFlight;
  const long keystore_pid = argc > 8 ? std::stol(argv[8]) : 0;
  const std::vector<std::string> selectors = split(argv[4]);
  std::ifstream token_in(argv[2]);
  std::string token;
  std::getline(token_in, token);
  if (token.empty()) {
    std::cerr << "cannot read the cluster token from " << argv[2] << "\n";
    return 2;
  }
  postern::config::HostPort keystore;
  const std::string address = argv[1];
  keystore.host = address.substr(0, address.rfind(':'));
  keystore.port = static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));

  GrpcKeystoreClient client({keystore}, token, std::chrono::seconds(5), in_flight);
  asio::io_context io(1);
  // Warm-up: one message (channel connect, first key loads), not counted.
  {
    Totals warm;
    asio::co_spawn(io, worker(client, argv[3], selectors, 0, Clock::now(), warm), asio::detached);
    io.run();
    io.restart();
    if (warm.errors > 0) {
      std::cerr << "warm-up failed: " << warm.last_error << "\n";
      return 1;
    }
  }
  Totals totals;
  const uint64_t requests_before = client.sign_requests_sent();
  const double cpu_before = cpu_seconds(keystore_pid);
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  for (int i = 0; i < concurrency; ++i) {
    asio::co_spawn(io, worker(client, argv[3], selectors, static_cast<uint64_t>(i) + 1, end, totals),
                   asio::detached);
  }
  io.run();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = cpu_seconds(keystore_pid) - cpu_before;
  const uint64_t requests = client.sign_requests_sent() - requests_before;
  std::string algorithms;
  for (const auto& a : totals.algorithms) algorithms += (algorithms.empty() ? "" : ",") + a;
  std::printf("%s %s messages=%d in_flight=%d signatures=%llu seconds=%.2f rate=%.1f/s "
              "requests=%llu digests/request=%.1f errors=%llu",
              argv[4], algorithms.empty() ? "?" : algorithms.c_str(), concurrency, in_flight,
              static_cast<unsigned long long>(totals.signatures), elapsed,
              static_cast<double>(totals.signatures) / elapsed,
              static_cast<unsigned long long>(requests),
              requests > 0 ? static_cast<double>(totals.signatures) / static_cast<double>(requests) : 0.0,
              static_cast<unsigned long long>(totals.errors));
  if (keystore_pid > 0 && cpu_before >= 0) {
    std::printf(" keystore_cpu=%.2fs sig/cpu-s=%.1f", cpu,
                cpu > 0 ? static_cast<double>(totals.signatures) / cpu : 0.0);
  }
  std::printf("\n");
  if (totals.errors > 0) std::fprintf(stderr, "last error: %s\n", totals.last_error.c_str());
  return totals.signatures > 0 && totals.errors == 0 ? 0 : 1;
}
