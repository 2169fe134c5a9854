#include "router/signing/message_signer.h"

#include <vector>

#include "common/mailauth/dkim/signer.h"

namespace postern::router::signing {
namespace {

namespace dkim = mailauth::dkim;

dkim::Canon canon(config::DkimCanon c) {
  return c == config::DkimCanon::simple ? dkim::Canon::simple : dkim::Canon::relaxed;
}

std::optional<dkim::Algorithm> parse_algorithm(std::string_view a) {
  if (a == "rsa-sha256") return dkim::Algorithm::rsa_sha256;
  if (a == "ed25519-sha256") return dkim::Algorithm::ed25519_sha256;
  return std::nullopt;
}

}  // namespace

dkim::Algorithm MessageSigner::algorithm_of(const std::string& domain,
                                            const std::string& selector) const {
  auto it = algorithms_.find({domain, selector});
  return it == algorithms_.end() ? dkim::Algorithm::rsa_sha256 : it->second;
}

boost::asio::awaitable<SigningOutcome> MessageSigner::sign(SigningPlan plan,
                                                           std::string_view message, int64_t now) {
  SigningOutcome out;
  std::vector<dkim::SignerParams> params;
  for (const std::string& selector : plan.selectors) {
    dkim::SignerParams p;
    p.domain = plan.domain;
    p.selector = selector;
    p.algorithm = algorithm_of(plan.domain, selector);
    p.header_canon = canon(config_.header_canon);
    p.body_canon = canon(config_.body_canon);
    p.headers = config_.headers;
    p.oversign = config_.oversign;
    p.timestamp = static_cast<uint64_t>(now);
    if (config_.expire_after) {
      p.expiration = static_cast<uint64_t>(now + config_.expire_after->count());
    }
    params.push_back(std::move(p));
  }
  std::vector<dkim::SigningInput> inputs = dkim::prepare_signatures(message, params);
  std::vector<std::string> signatures(params.size());
  std::vector<std::size_t> todo(params.size());
  for (std::size_t i = 0; i < todo.size(); ++i) todo[i] = i;

  // At most two rounds: the second only for selectors whose algorithm was guessed wrong.
  for (int round = 0; round < 2 && !todo.empty(); ++round) {
    std::vector<DigestToSign> batch;
    for (std::size_t i : todo) batch.push_back({plan.domain, plan.selectors[i], inputs[i].digest});
    ++calls_;
    SignResult result = co_await keystore_.sign(std::move(batch));
    if (!result.ok) {
      out.error = std::move(result.error);
      co_return out;
    }
    if (result.signatures.size() != todo.size()) {
      out.error = "keystore returned " + std::to_string(result.signatures.size()) +
                  " signatures for " + std::to_string(todo.size()) + " digests";
      co_return out;
    }
    std::vector<std::size_t> again;
    for (std::size_t k = 0; k < todo.size(); ++k) {
      const std::size_t i = todo[k];
      const auto algorithm = parse_algorithm(result.signatures[k].algorithm);
      if (!algorithm) {
        out.error = "keystore signed " + plan.domain + "/" + plan.selectors[i] +
                    " with unsupported algorithm \"" + result.signatures[k].algorithm + "\"";
        co_return out;
      }
      algorithms_[{plan.domain, plan.selectors[i]}] = *algorithm;
      if (*algorithm == params[i].algorithm) {
        signatures[i] = std::move(result.signatures[k].signature);
      } else {
        params[i].algorithm = *algorithm;
        inputs[i] = dkim::prepare_signature(message, params[i]);
        again.push_back(i);
      }
    }
    todo = std::move(again);
  }
  if (!todo.empty()) {
    out.error = "the algorithm of " + plan.domain + "/" + plan.selectors[todo.front()] +
                " changed while signing";
    co_return out;
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    out.fields += dkim::finish_signature(inputs[i].header_without_b, signatures[i]);
  }
  out.summary = "d=" + plan.domain + " s=";
  for (std::size_t i = 0; i < plan.selectors.size(); ++i) {
    out.summary += (i > 0 ? "," : "") + plan.selectors[i];
  }
  out.ok = true;
  co_return out;
}

}  // namespace postern::router::signing
