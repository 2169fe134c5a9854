// Matching a client against a config::HostList (edge.inbound connection/relay/greylist host
// lists): a pure function.
//
// Contract: an address block matches the client's IP (IPv4-mapped IPv6 counts as IPv4, see
// config/cidr.h). A name matches only `verified_name`, the client's forward-confirmed PTR
// name (lower-case, no trailing dot; "" when there is none): "mail.example" exactly,
// "*.example" any name ending in ".example". An unverified PTR never matches, since anyone
// controlling their reverse zone could claim any name.
#pragma once

#include <string_view>

#include "common/config/config.h"

namespace postern::edge::policy {

bool matches(const config::HostList& hosts, std::string_view ip, std::string_view verified_name);

// True when `domain` (lower-case, no trailing dot) is in `domains` ("*" all, "*.x" below x).
bool domain_listed(const std::vector<std::string>& domains, std::string_view domain);

}  // namespace postern::edge::policy
