// DKIM signatures per second through the whole signing path router -> keystore: the router's
// gRPC KeystoreClient (router/signing/grpc_keystore_client.h) sends Keystore.Sign requests to
// a running `postern keystore`, which unseals nothing per call (keys are loaded) and signs the
// digest. N batches are kept in flight at once from one io_context thread, as the router's
// delivery thread does. Compare with `openssl speed` (bench/dkim_sign.sh runs both).
//
// Usage: dkim_sign_bench KEYSTORE(host:port) TOKEN_FILE DOMAIN SELECTOR
//                        [concurrency=16] [seconds=5] [digests per request=1]
// Prints one line: "<selector> <algorithm> concurrency=N batch=B signatures=S seconds=T
// rate=R/s errors=E".
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "common/config/host_port.h"
#include "router/signing/grpc_keystore_client.h"

namespace {

namespace asio = boost::asio;
using postern::router::signing::DigestToSign;
using postern::router::signing::KeystoreClient;
using Clock = std::chrono::steady_clock;

struct Totals {
  uint64_t signatures = 0;
  uint64_t errors = 0;
  std::string algorithm;
  std::string last_error;
  int running = 0;
};

asio::awaitable<void> worker(KeystoreClient& client, std::string domain, std::string selector,
                             int batch, Clock::time_point end, Totals& totals) {
  uint64_t n = 0;
  do {
    std::vector<DigestToSign> digests;
    for (int i = 0; i < batch; ++i) {
      std::string digest(32, '\0');
      for (int k = 0; k < 8; ++k) digest[static_cast<std::size_t>(k)] = static_cast<char>(n >> (8 * k));
      ++n;
      digests.push_back(DigestToSign{domain, selector, std::move(digest)});
    }
    auto result = co_await client.sign(std::move(digests));
    if (result.ok) {
      totals.signatures += result.signatures.size();
      if (!result.signatures.empty()) totals.algorithm = result.signatures.front().algorithm;
    } else {
      ++totals.errors;
      totals.last_error = result.error;
    }
  } while (Clock::now() < end);
  --totals.running;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: dkim_sign_bench KEYSTORE TOKEN_FILE DOMAIN SELECTOR [concurrency] "
                 "[seconds] [batch]\n";
    return 2;
  }
  const int concurrency = argc > 5 ? std::stoi(argv[5]) : 16;
  const int seconds = argc > 6 ? std::stoi(argv[6]) : 5;
  const int batch = argc > 7 ? std::stoi(argv[7]) : 1;
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

  postern::router::signing::GrpcKeystoreClient client({keystore}, token);
  asio::io_context io(1);
  Totals totals;
  // Warm-up: one call (channel connect, first key load), not counted.
  {
    Totals warm;
    warm.running = 1;
    asio::co_spawn(io, worker(client, argv[3], argv[4], 1, Clock::now(), warm), asio::detached);
    io.run();
    io.restart();
  }
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  totals.running = concurrency;
  for (int i = 0; i < concurrency; ++i) {
    asio::co_spawn(io, worker(client, argv[3], argv[4], batch, end, totals), asio::detached);
  }
  io.run();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("%s %s concurrency=%d batch=%d signatures=%llu seconds=%.2f rate=%.1f/s errors=%llu\n",
              argv[4], totals.algorithm.empty() ? "?" : totals.algorithm.c_str(), concurrency,
              batch, static_cast<unsigned long long>(totals.signatures), elapsed,
              static_cast<double>(totals.signatures) / elapsed,
              static_cast<unsigned long long>(totals.errors));
  if (totals.errors > 0) std::fprintf(stderr, "last error: %s\n", totals.last_error.c_str());
  return totals.signatures > 0 ? 0 : 1;
}
