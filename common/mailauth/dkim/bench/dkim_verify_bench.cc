// DKIM verification throughput: verifications per CPU second on one thread, RSA-2048 and
// Ed25519, 10 KiB messages, relaxed/relaxed. Three figures per algorithm:
//   hash-only       prepare(): body and header canonicalization + SHA-256
//   verify          prepare() + conclude(): key record parse, key decode, signature check
//   verify+cache    the same with a KeyCache (OpenSSL 3 spends longer decoding an RSA key
//                   than verifying with it; senders reuse keys)
// DNS is left out: it is latency, not CPU, and any real resolver caches it. Compare with
// `openssl speed rsa2048 ed25519` (verify/s, also per CPU second).
//
// Build: cmake -DPOSTERN_DKIM_BENCH=ON ... --target dkim_verify_bench
// Run:   dkim_verify_bench [seconds per case, default 2]
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/mailauth/dkim/verify.h"
#include "tests/unit/common/mailauth/dkim/test_keys.h"

namespace dkim = postern::mailauth::dkim;

namespace {

std::string message_of(std::size_t body_bytes) {
  std::string msg =
      "From: Bench <bench@example.test>\r\nTo: someone@example.net\r\n"
      "Subject: throughput\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
      "Message-ID: <bench@example.test>\r\n\r\n";
  const std::string line = "The quick brown fox  jumps over the lazy dog, \tagain and again. \r\n";
  while (msg.size() < body_bytes) msg += line;
  return msg;
}

// This process's CPU seconds: the figures stay comparable on a shared, loaded machine (and
// with `openssl speed`, which also reports per CPU second).
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Runs `work` for `seconds` of CPU time; returns calls per CPU second.
template <typename F>
double per_second(double seconds, F&& work) {
  const double start = cpu_seconds();
  long n = 0;
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int i = 0; i < 16; ++i) work();
    n += 16;
    elapsed = cpu_seconds() - start;
  }
  return static_cast<double>(n) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  const int64_t now = 1'700'000'000;
  const std::string body = message_of(10 * 1024);
  std::printf("%-10s %12s %16s %16s\n", "algorithm", "hash-only/s", "verify/s", "verify+cache/s");
  for (const char* name : {"rsa-2048", "ed25519"}) {
    const auto key = std::string(name) == "ed25519" ? dkim::testing::generate_ed25519()
                                                    : dkim::testing::generate_rsa(2048);
    const std::string msg = dkim::testing::sign_message(body, key, dkim::testing::SignParams{});
    const postern::dns::Answer<std::string> answer{postern::dns::Status::ok,
                                                   {dkim::testing::key_record(key)}, {}};
    const dkim::VerifyOptions options;
    dkim::KeyCache cache;
    dkim::VerifyOptions cached;
    cached.key_cache = &cache;
    // Check once that the case really verifies, so the figures measure success paths.
    const auto once = dkim::prepare(msg, now, options);
    if (once.signatures.size() != 1 ||
        dkim::conclude(once.signatures[0], answer, options).result != dkim::Result::pass) {
      std::fprintf(stderr, "%s: benchmark message does not verify\n", name);
      return 1;
    }
    const double hash = per_second(seconds, [&] { (void)dkim::prepare(msg, now, options); });
    const double full = per_second(seconds, [&] {
      const auto p = dkim::prepare(msg, now, options);
      if (dkim::conclude(p.signatures[0], answer, options).result != dkim::Result::pass) {
        std::abort();
      }
    });
    const double with_cache = per_second(seconds, [&] {
      const auto p = dkim::prepare(msg, now, cached);
      if (dkim::conclude(p.signatures[0], answer, cached).result != dkim::Result::pass) {
        std::abort();
      }
    });
    std::printf("%-10s %12.0f %16.0f %16.0f\n", name, hash, full, with_cache);
  }
  return 0;
}
