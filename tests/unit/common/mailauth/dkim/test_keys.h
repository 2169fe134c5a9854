// Test support: local private keys and a reference signer built on the library's data-to-sign
// builder. In production only the keystore holds private keys (issue 3); tests sign locally
// to produce messages with known keys, and the RFC 8463 test reproduces published b= values.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/mailauth/dkim/key_record.h"
#include "common/mailauth/dkim/signature.h"

namespace postern::mailauth::dkim::testing {

struct PrivateKey {
  KeyType type = KeyType::rsa;
  std::shared_ptr<EVP_PKEY> key;
};

// All throw std::runtime_error on failure (test code only).
PrivateKey load_private_key_pem(const std::string& path);
PrivateKey ed25519_from_seed(std::string_view seed32);
PrivateKey generate_rsa(int bits);
PrivateKey generate_ed25519();

// The key record to publish: "v=DKIM1; k=rsa; p=<SPKI>" or "v=DKIM1; k=ed25519; p=<raw>".
std::string key_record(const PrivateKey& key);

// Signs the 32-octet digest as the keystore will: RSASSA-PKCS1-v1_5/SHA-256 or Ed25519.
std::string sign_digest(const PrivateKey& key, std::string_view digest);

struct SignParams {
  Canon header_canon = Canon::relaxed;
  Canon body_canon = Canon::relaxed;
  std::string domain = "example.test";
  std::string selector = "sel";
  std::vector<std::string> headers = {"from", "to", "subject"};
  std::optional<uint64_t> body_length;
  std::optional<uint64_t> timestamp;
  std::optional<uint64_t> expiration;
  std::string algorithm;   // "" = derived from the key ("rsa-sha256" / "ed25519-sha256")
  std::string extra_tags;  // appended before bh=, e.g. "i=@sub.example.test; "
};

// `message` with a DKIM-Signature prepended (CRLF line ends expected).
std::string sign_message(std::string_view message, const PrivateKey& key, const SignParams& p);

// Reads a whole file; throws when it cannot.
std::string read_file(const std::string& path);

// `s` without its final LF / CRLF (files written by editors and tools).
inline std::string strip_trailing_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The shared conformance suites (../shared/suites next to the source tree).
std::string suite_path(const std::string& relative);

}  // namespace postern::mailauth::dkim::testing
