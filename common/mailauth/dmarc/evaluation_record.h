// One DMARC evaluation as a durable value for aggregate reports (RFC 7489 7.2, Appendix C
// "row"), and its encoding: one line of JSON.
//
// Contract: a plain value type; to_json_line() is total, emits exactly one line ending in
// "\n" with no other CR/LF, valid JSON for any field contents (control characters escaped,
// strings that are not valid UTF-8 have their non-ASCII bytes replaced by U+FFFD). Keys are
// stable: readers of stored lines depend on them. No clock here: the caller passes the time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/mailauth/dmarc/evaluation.h"

namespace postern::mailauth::dmarc {

struct DkimAuthResult {
  std::string domain;
  std::string selector;
  DkimResult result = DkimResult::none;
};

struct EvaluationRecord {
  int64_t time = 0;           // unix seconds when the message was evaluated
  std::string source_ip;      // the connecting client's address
  std::string header_from;    // RFC5322.From domain
  std::string envelope_from;  // the domain SPF evaluated
  // policy_published
  std::string policy_domain;  // "" when no record was found
  std::optional<Policy> p, sp, np;
  int pct = 100;
  AlignmentMode adkim = AlignmentMode::relaxed;
  AlignmentMode aspf = AlignmentMode::relaxed;
  bool testing = false;
  // policy_evaluated
  Result dmarc = Result::none;
  Policy disposition = Policy::none;  // applied
  Policy requested = Policy::none;
  bool sampled_out = false;
  bool dkim_aligned = false;
  bool spf_aligned = false;
  std::string reason;
  // auth_results
  SpfResult spf = SpfResult::none;
  std::vector<DkimAuthResult> dkim;  // at most kMaxDkimInputs

  bool operator==(const EvaluationRecord&) const = default;
};

EvaluationRecord make_evaluation_record(const Evaluation& evaluation, const Inputs& inputs,
                                        std::string source_ip, int64_t unix_time);

std::string to_json_line(const EvaluationRecord& record);

}  // namespace postern::mailauth::dmarc
