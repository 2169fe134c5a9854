// HELO/EHLO facts for the reputation score: a pure function.
//
// Contract: helo_not_fqdn when the argument is not a domain with a dot (an address literal is
// not an FQDN either); helo_mismatch when the argument is an address literal other than the
// client's address, when it claims to be us (internet.hostname or a local domain), or when
// the client has a forward-confirmed PTR name and the argument differs from it. Never rejects.
#pragma once

#include <string_view>
#include <vector>

#include "common/config/config.h"
#include "edge/policy/facts.h"

namespace postern::edge::policy {

struct HeloContext {
  std::string_view client_ip;
  std::string_view verified_name;  // "" when none
  std::string_view our_hostname;
  const std::vector<std::string>* local_domains = nullptr;
};

Facts helo_facts(const config::InboundScore& score, std::string_view helo,
                 const HeloContext& context);

}  // namespace postern::edge::policy
