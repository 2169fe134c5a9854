#include "edge/policy_state.h"

namespace postern::edge {

namespace {

std::unique_ptr<ratelimit::RateLimiter> limiter(uint32_t count, std::chrono::seconds window,
                                                const ratelimit::Clock& clock) {
  if (count == 0) return nullptr;
  ratelimit::RateLimit limit;
  limit.count = count;
  limit.window = window;
  return std::make_unique<ratelimit::RateLimiter>(limit, clock);
}

}  // namespace

std::shared_ptr<const PolicySnapshot> PolicySnapshot::make(const config::Config& config,
                                                           const ratelimit::Clock& clock) {
  auto s = std::make_shared<PolicySnapshot>();
  s->inbound = config.edge.inbound;
  s->directory = std::make_shared<policy::RecipientDirectory>(config.directory,
                                                              config.internet.local_domains);
  const auto& c = s->inbound.connection;
  if (c.max_per_ip > 0) s->sessions_per_ip = std::make_unique<ratelimit::ConcurrencyLimiter>(c.max_per_ip);
  s->connections_per_ip = limiter(c.rate_per_ip, c.rate_window, clock);
  const auto& r = s->inbound.rate_limits;
  s->messages_per_ip = limiter(r.messages_per_ip.count, r.messages_per_ip.window, clock);
  s->messages_per_sender = limiter(r.messages_per_sender.count, r.messages_per_sender.window, clock);
  return s;
}

}  // namespace postern::edge
