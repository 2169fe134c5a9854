#include "edge/policy/greylist.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

#include "edge/policy/host_list.h"

namespace postern::edge::policy {

using smtp::Reply;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

}  // namespace

std::string client_network(std::string_view ip_text) {
  const std::string ip(ip_text);
  std::array<unsigned char, 16> bytes{};
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, ip.c_str(), bytes.data()) == 1) {
    bytes[3] = 0;
    inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
    return std::string(buf) + "/24";
  }
  if (inet_pton(AF_INET6, ip.c_str(), bytes.data()) == 1) {
    const bool mapped = std::all_of(bytes.begin(), bytes.begin() + 10, [](auto b) { return b == 0; }) &&
                        bytes[10] == 0xff && bytes[11] == 0xff;
    if (mapped) {
      unsigned char v4[4] = {bytes[12], bytes[13], bytes[14], 0};
      inet_ntop(AF_INET, v4, buf, sizeof buf);
      return std::string(buf) + "/24";
    }
    for (int i = 8; i < 16; ++i) bytes[i] = 0;
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    return std::string(buf) + "/64";
  }
  return {};
}

bool greylist_applies(const config::Inbound& in, std::string_view ip,
                      std::string_view verified_name, bool authenticated, bool trusted,
                      const smtp::codec::Mailbox& from, const smtp::codec::Mailbox& rcpt) {
  const auto& g = in.greylist;
  if (!g.enabled || authenticated || trusted) return false;
  if (matches(g.pass_hosts, ip, verified_name)) return false;
  if (!from.domain.empty() && domain_listed(g.pass_domains, lower(from.domain))) return false;
  if (!rcpt.domain.empty() && domain_listed(g.pass_domains, lower(rcpt.domain))) return false;
  return true;
}

GreylistTriplet make_triplet(std::string_view ip, const smtp::codec::Mailbox& from,
                             const smtp::codec::Mailbox& rcpt) {
  return GreylistTriplet{std::string(ip), client_network(ip), lower(from.to_string()),
                         lower(rcpt.to_string())};
}

CheckResult judge_greylist(const config::InboundScore& score, const GreylistTriplet& t,
                           const GreylistAnswer& answer) {
  const std::string what = "greylist (" + t.network + ", <" + t.sender + ">, <" + t.recipient + ">)";
  switch (answer.kind) {
    case GreylistAnswer::Kind::defer:
      return CheckResult::reject(
          Reply(451, {4, 7, 1}, "Greylisted, try again in " +
                                    std::to_string(std::max<int64_t>(answer.retry_after_seconds, 1)) +
                                    " seconds"),
          what + ": defer");
    case GreylistAnswer::Kind::pass: {
      CheckResult r = CheckResult::permit(what + ": pass");
      r.facts.push_back(make_fact(score, "greylist_passed", Stage::rcpt, what));
      return r;
    }
    case GreylistAnswer::Kind::error:
      break;
  }
  return CheckResult::dunno(what + ": not checked (" + answer.error + "), passed (fail open)");
}

}  // namespace postern::edge::policy
