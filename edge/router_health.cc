#include "edge/router_health.h"

namespace postern::edge {

const char* to_string(RouterState state) {
  switch (state) {
    case RouterState::unknown:
      return "unknown";
    case RouterState::serving:
      return "serving";
    case RouterState::not_serving:
      return "not serving";
    case RouterState::unreachable:
      return "unreachable";
  }
  return "unknown";
}

bool RouterHealth::set(std::size_t index, RouterState state) {
  if (index >= states_.size() || states_[index] == state) return false;
  states_[index] = state;
  return true;
}

std::vector<std::size_t> RouterHealth::order(std::size_t first) const {
  std::vector<std::size_t> up, down;
  for (std::size_t i = 0; i < states_.size(); ++i) (is_down(states_[i]) ? down : up).push_back(i);
  std::vector<std::size_t> out;
  out.reserve(states_.size());
  for (const auto* group : {&up, &down}) {
    for (std::size_t i = 0; i < group->size(); ++i) {
      out.push_back((*group)[(first + i) % group->size()]);
    }
  }
  return out;
}

}  // namespace postern::edge
