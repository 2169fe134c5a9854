// SPF records (RFC 7208 4.5, 4.6, 5, 6, 12): selection and a pure, capped parser.
//
// Contract: pure functions over bytes; no DNS, no exceptions for any input. The parser checks
// the whole record before anything is evaluated (4.6: a syntax error anywhere is a permerror,
// even after a matching mechanism), including the macro syntax of every domain-spec and of
// unknown modifiers. Names of mechanisms and modifiers are case-insensitive.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/mailauth/spf/address.h"
#include "common/mailauth/spf/result.h"

namespace postern::spf {

// Records longer than this are rejected (permerror) instead of parsed; published records are
// far smaller (RFC 7208 3.4 asks for them to fit in a 512-octet DNS reply).
inline constexpr std::size_t kMaxRecordSize = 16384;

// 4.5: a TXT record is an SPF record when it starts with "v=spf1" (case-insensitive) followed
// by a space or its end. "v=spf10" and "v=spf1x" are not.
bool is_spf_record(std::string_view txt);

enum class MechanismKind { all, include, a, mx, ptr, ip4, ip6, exists };
std::string_view to_string(MechanismKind);

struct Mechanism {
  Qualifier qualifier = Qualifier::pass;
  MechanismKind kind = MechanismKind::all;
  // include/exists: required; a/mx/ptr: empty means the current <domain>. Unexpanded.
  std::string domain_spec;
  Ip network;        // ip4/ip6
  int cidr4 = 32;    // a/mx/ip4
  int cidr6 = 128;   // a/mx/ip6
  std::string text;  // the term as published, for Received-SPF "mechanism=" and logs
};

struct Record {
  std::vector<Mechanism> mechanisms;       // in record order
  std::optional<std::string> redirect;     // domain-spec of redirect=
  std::optional<std::string> explanation;  // domain-spec of exp=
};

struct ParseError {
  std::string message;  // what is wrong and where, for problem= and logs
};

// Parses an SPF record (the whole TXT text, "v=spf1 ..."): a Record, or a ParseError, which
// check_host() reports as permerror.
std::variant<Record, ParseError> parse_record(std::string_view text);

}  // namespace postern::spf
