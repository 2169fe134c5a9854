#include "router/delivery/mx_plan.h"

#include <algorithm>

namespace postern::router::delivery {

MxPlan plan_mx(const dns::Answer<dns::MxRecord>& answer, const std::string& domain,
               std::mt19937& random) {
  MxPlan plan;
  switch (answer.status) {
    case dns::Status::nxdomain:
      plan.failure = smtp::Reply(550, {5, 1, 2}, "Domain " + domain + " does not exist");
      return plan;
    case dns::Status::nodata:
      plan.hosts = {domain};
      plan.implicit = true;
      return plan;
    case dns::Status::temperror:
    case dns::Status::permerror:
      plan.failure = smtp::Reply(451, {4, 4, 3}, "MX lookup for " + domain + " failed: " +
                                                     dns::to_string(answer.status));
      return plan;
    case dns::Status::ok:
      break;
  }
  std::vector<dns::MxRecord> records;
  for (const auto& r : answer.records)
    if (!r.host.empty()) records.push_back(r);
  if (records.empty()) {
    // Only null MX records (or an empty answer): the domain accepts no mail (RFC 7505 3.3).
    plan.failure = smtp::Reply(556, {5, 1, 10}, "Domain " + domain + " accepts no mail (null MX)");
    return plan;
  }
  std::shuffle(records.begin(), records.end(), random);
  std::stable_sort(records.begin(), records.end(),
                   [](const auto& a, const auto& b) { return a.preference < b.preference; });
  for (auto& r : records)
    if (std::find(plan.hosts.begin(), plan.hosts.end(), r.host) == plan.hosts.end())
      plan.hosts.push_back(std::move(r.host));
  return plan;
}

}  // namespace postern::router::delivery
