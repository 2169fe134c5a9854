// The signing step the scheduler runs before a message's first delivery: the plan
// (signing_plan.h), then the digests (common/mailauth/dkim/signer.h), ONE keystore call for
// all of the message's selectors, and the finished DKIM-Signature fields.
//
// The a= tag is part of what gets signed, yet only the keystore knows each key's algorithm.
// The step remembers the algorithm the keystore reported per (domain, selector) for the
// process lifetime and assumes rsa-sha256 for a selector it has not seen yet; when the
// keystore reports another algorithm, the affected signatures are prepared again with the
// right a= and signed once more (once per selector and process; a wrong guess costs an
// Ed25519 signature, which is cheap). A key replaced by one of another type is handled alike.
//
// Contract: sign() never throws for keystore trouble: it returns the fields (each ending in
// CRLF, in selector order) or a reason. Runs on the delivery executor; not thread-safe (one
// executor thread uses it).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "common/config/config.h"
#include "common/mailauth/dkim/signature.h"
#include "router/signing/keystore_client.h"
#include "router/signing/signing_plan.h"

namespace postern::router::signing {

struct SigningOutcome {
  bool ok = false;
  std::string fields;  // ok: the DKIM-Signature fields to prepend
  std::string summary; // ok: "d=example.com s=sel1,sel2" for the log
  std::string error;   // !ok: why, e.g. "keystore 127.0.0.1:7002 unavailable"
};

class MessageSigner {
 public:
  // Both must outlive the signer.
  MessageSigner(const config::DkimSigning& config, KeystoreClient& keystore)
      : config_(config), keystore_(keystore) {}

  SigningPlan plan(const postern::v1::queue::MessageRecord& meta, std::string_view message) const {
    return plan_signing(config_, meta, message);
  }

  // `plan.sign` must be true. `now`: t= in seconds since the epoch (x= = now + expire_after).
  boost::asio::awaitable<SigningOutcome> sign(SigningPlan plan, std::string_view message,
                                              int64_t now);

  // Keystore calls made (tests count them).
  uint64_t keystore_calls() const { return calls_; }

 private:
  mailauth::dkim::Algorithm algorithm_of(const std::string& domain,
                                         const std::string& selector) const;

  const config::DkimSigning& config_;
  KeystoreClient& keystore_;
  std::map<std::pair<std::string, std::string>, mailauth::dkim::Algorithm> algorithms_;
  uint64_t calls_ = 0;
};

}  // namespace postern::router::signing
