// The edge's view of each router's health (cluster.routers), and the order in which one
// submission tries them.
//
// Contract (pure; the caller serializes access):
//  - Every router starts `unknown`. Reports come from the active health check
//    (health_watch.h: grpc.health.v1 "postern.v1.Router") and from submissions themselves
//    (UNAVAILABLE -> unreachable, OK -> serving). set() says whether the state changed, so the
//    caller logs transitions only.
//  - order(first): the routers that are serving or unknown, rotated to start at round-robin
//    position `first`; then, as a last resort, the not-serving and unreachable ones (rotated
//    likewise). So a router known to be down or draining is never chosen while another may
//    take the message, and when none is known healthy every router is still tried: a health
//    report can be up to one interval old, and trying costs one failed call.
#pragma once

#include <cstddef>
#include <vector>

namespace postern::edge {

enum class RouterState { unknown, serving, not_serving, unreachable };
const char* to_string(RouterState state);

// A state that keeps the router out of the first choices.
inline bool is_down(RouterState s) {
  return s == RouterState::not_serving || s == RouterState::unreachable;
}

class RouterHealth {
 public:
  explicit RouterHealth(std::size_t routers) : states_(routers, RouterState::unknown) {}

  std::size_t size() const { return states_.size(); }
  RouterState state(std::size_t index) const { return states_.at(index); }
  // Returns true when the state changed. Out-of-range indices are ignored (false).
  bool set(std::size_t index, RouterState state);
  std::vector<std::size_t> order(std::size_t first) const;

 private:
  std::vector<RouterState> states_;
};

}  // namespace postern::edge
