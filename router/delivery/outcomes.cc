#include "router/delivery/outcomes.h"

namespace postern::router::delivery {

Outcome outcome_from_reply(const smtp::Reply& reply, std::string remote) {
  Outcome o;
  o.kind = reply.positive()    ? Outcome::Kind::delivered
           : reply.permanent() ? Outcome::Kind::permanent
                               : Outcome::Kind::temporary;
  o.reply = reply;
  o.remote = std::move(remote);
  return o;
}

std::vector<Outcome> for_all(std::size_t recipients, const Outcome& outcome) {
  return std::vector<Outcome>(recipients, outcome);
}

}  // namespace postern::router::delivery
