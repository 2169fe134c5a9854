#include "edge/inbound/verdicts.h"

namespace postern::edge::inbound {

namespace dmarc = mailauth::dmarc;
namespace dkim = mailauth::dkim;

const char* to_string(Iprev::Result r) {
  switch (r) {
    case Iprev::Result::pass: return "pass";
    case Iprev::Result::fail: return "fail";
    case Iprev::Result::temperror: return "temperror";
    case Iprev::Result::permerror: return "permerror";
  }
  return "permerror";
}

dmarc::SpfInput dmarc_spf_input(const std::optional<spf::Verdict>& verdict) {
  dmarc::SpfInput in;
  if (!verdict) return in;
  in.domain = verdict->domain;
  switch (verdict->result) {
    case spf::Result::none: in.result = dmarc::SpfResult::none; break;
    case spf::Result::neutral: in.result = dmarc::SpfResult::neutral; break;
    case spf::Result::pass: in.result = dmarc::SpfResult::pass; break;
    case spf::Result::fail: in.result = dmarc::SpfResult::fail; break;
    case spf::Result::softfail: in.result = dmarc::SpfResult::softfail; break;
    case spf::Result::temperror: in.result = dmarc::SpfResult::temperror; break;
    case spf::Result::permerror: in.result = dmarc::SpfResult::permerror; break;
  }
  return in;
}

std::vector<dmarc::DkimInput> dmarc_dkim_inputs(const std::vector<dkim::SignatureResult>& sigs) {
  std::vector<dmarc::DkimInput> out;
  for (const auto& s : sigs) {
    if (out.size() >= dmarc::kMaxDkimInputs) break;
    dmarc::DkimInput in;
    in.domain = s.domain;
    in.selector = s.selector;
    switch (s.result) {
      case dkim::Result::pass: in.result = dmarc::DkimResult::pass; break;
      case dkim::Result::fail: in.result = dmarc::DkimResult::fail; break;
      case dkim::Result::neutral: in.result = dmarc::DkimResult::neutral; break;
      case dkim::Result::temperror: in.result = dmarc::DkimResult::temperror; break;
      case dkim::Result::permerror: in.result = dmarc::DkimResult::permerror; break;
      case dkim::Result::policy: in.result = dmarc::DkimResult::policy; break;
    }
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace postern::edge::inbound
