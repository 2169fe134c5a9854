// What the edge learns about an inbound message's sender: plain values, produced by the I/O
// side (authenticator.h, over DNS) and judged by the pure side (decision.h, headers.h).
//
// An unset optional means "not checked" (disabled, skipped host, trusted client), which is
// different from a check that ran and found nothing (e.g. spf "none", dkim with no signature).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/mailauth/dkim/verdict.h"
#include "common/mailauth/dmarc/evaluation.h"
#include "common/mailauth/spf/check_host.h"

namespace postern::edge::inbound {

// Which checks apply to one transaction (plan.h decides).
// DMARC needs SPF and DKIM results, so with DMARC on they run even where their own check is
// off or skipped; their results then only feed DMARC (not written, not acted on).
struct Plan {
  bool spf = false;          // run the MAIL FROM identity check
  bool spf_helo = false;     // run the HELO identity check
  bool dkim = false;         // verify DKIM signatures
  bool dmarc = false;
  bool iprev = false;
  bool spf_policy = false;   // edge.inbound.spf applies: results written and acted on
  bool dkim_policy = false;  // edge.inbound.dkim applies
  bool any() const { return spf || spf_helo || dkim || dmarc || iprev; }
};

// RFC 8601 2.7.3: the client's PTR name(s) resolve back to its address.
struct Iprev {
  enum class Result { pass, fail, temperror, permerror };
  Result result = Result::permerror;
  std::string name;    // the PTR name that confirmed (pass), else ""
  std::string reason;  // for logs
};
const char* to_string(Iprev::Result);

struct Verdicts {
  std::optional<spf::Verdict> spf;       // MAIL FROM identity (postmaster@HELO for <>)
  std::optional<spf::Verdict> spf_helo;  // HELO identity
  std::optional<std::vector<mailauth::dkim::SignatureResult>> dkim;  // per signature, in order
  std::optional<mailauth::dmarc::Evaluation> dmarc;
  mailauth::dmarc::Inputs dmarc_inputs;  // what DMARC was given (for the evaluation record)
  std::optional<Iprev> iprev;
};

// DMARC's view of SPF and DKIM results (RFC 7489 4.1: the MAIL FROM identity's result, which
// for a null sender is the HELO identity's, as spf::check_mail_from already arranges).
mailauth::dmarc::SpfInput dmarc_spf_input(const std::optional<spf::Verdict>& spf);
std::vector<mailauth::dmarc::DkimInput> dmarc_dkim_inputs(
    const std::vector<mailauth::dkim::SignatureResult>& signatures);

}  // namespace postern::edge::inbound
