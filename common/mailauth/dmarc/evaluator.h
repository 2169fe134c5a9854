// DMARC evaluation of one message over DNS (RFC 7489 6.6; DMARCbis tree walk): discovery of
// the policy record, the Organizational Domains, alignment, result and the policy to apply.
//
// Contract: evaluate() always completes with an Evaluation (DNS problems become temperror,
// broken records permerror); it throws only what the resolver throws (nothing, for the c-ares
// resolver). DNS cost is bounded: the From walk and every identifier walk are at most
// kMaxTreeWalkLookups names each, answers are cached per evaluation, at most kMaxDkimInputs
// signatures are considered, and at most kMaxLookups queries are sent in all (beyond that a
// name counts as a temperror). The Resolver must outlive the awaitable.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "common/dns/resolver.h"
#include "common/mailauth/dmarc/evaluation.h"
#include "common/mailauth/dmarc/public_suffix.h"

namespace postern::mailauth::dmarc {

inline constexpr int kMaxLookups = 32;

// How the Organizational Domain is found: RFC 7489 (Public Suffix List) or DMARCbis (DNS tree
// walk). With psl, records are looked up at the From domain and then at its Organizational
// Domain; with tree_walk, at the walk's names.
enum class OrgDomainMethod { psl, tree_walk };

struct Options {
  OrgDomainMethod method = OrgDomainMethod::psl;
  // Required for OrgDomainMethod::psl (evaluate() answers permerror without it). Not owned.
  const PublicSuffixList* psl = nullptr;
  PercentSource percent = random_percent;
};

boost::asio::awaitable<Evaluation> evaluate(dns::Resolver& resolver, Inputs inputs,
                                            Options options);

}  // namespace postern::mailauth::dmarc
