// Which DNSxL answers count as "listed": a per-zone set of return codes, parsed from config
// text, and the interpretation of an A answer against it. Pure.
//
// Syntax of one code (one string each in a YAML list, e.g.
//   codes: ["127.0.0.2", "127.0.0.4/30", "127.0.0.10-127.0.0.11", "mask:0.0.0.4"]):
//   "127.0.0.2"                 exactly this address
//   "127.0.0.4/30"              any address in the block (host bits must be zero)
//   "127.0.0.2-127.0.0.11"      an inclusive range (Spamhaus-style, postscreen's [2..11])
//   "mask:0.0.0.4"              bitmask: any 127.0.0.0/8 answer with one of these bits set
//                               (postscreen's zone&0.0.0.4; SURBL/URIBL-style lists)
// All codes must lie in 127.0.0.0/8 (RFC 5782 2.1: list answers are loopback addresses); a
// mask applies to the low 24 bits only. An empty set means "any 127.0.0.0/8 answer".
//
// Refusals: some lists answer a blocked or abusive resolver with special codes instead of
// NXDOMAIN (Spamhaus 127.255.255.252 typo in the query, .254 query via a public resolver, .255
// excessive queries; dnswl.org 127.0.0.255). Those mean "this list cannot be used", never
// "listed": interpret() reports them as an error. Default refusal set: 127.255.255.252/30;
// zones may add their own (dnswl.org: "127.0.0.255").
// An answer outside 127.0.0.0/8 (a wildcard or a parked, expired list domain answering every
// name) is also an error, never a hit.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::dnsbl {

struct CodeRange {
  uint32_t first = 0;  // host order, inclusive
  uint32_t last = 0;
  bool operator==(const CodeRange&) const = default;
};

class CodeSet {
 public:
  // Empty: matches every 127.0.0.0/8 address.
  CodeSet() = default;
  bool empty() const { return ranges_.empty() && mask_ == 0; }
  bool matches(const boost::asio::ip::address_v4& a) const;
  void add_range(CodeRange range) { ranges_.push_back(range); }
  void add_mask(uint32_t bits) { mask_ |= bits; }

 private:
  std::vector<CodeRange> ranges_;
  uint32_t mask_ = 0;  // low 24 bits
};

struct CodeSetParse {
  std::optional<CodeSet> codes;
  std::string error;  // names the offending entry
};
CodeSetParse parse_codes(const std::vector<std::string>& codes);

// 127.255.255.252 - 127.255.255.255.
CodeSet default_refusal_codes();

enum class Interpretation { listed, not_listed, refused, bogus };
struct Interpreted {
  Interpretation result = Interpretation::not_listed;
  std::vector<boost::asio::ip::address_v4> matched;  // the answers that matched `codes`
  std::string error;  // for refused / bogus: which answer, for logs
};

// An A answer (the records of a successful lookup) against a zone's codes. Precedence:
// bogus (any answer not IPv4 or outside 127/8) > refused (any refusal code) > listed (any
// answer in `codes`) > not_listed (answers exist but none match: e.g. a code the zone's
// config does not count). An empty answer is not_listed.
Interpreted interpret(const std::vector<boost::asio::ip::address>& answers, const CodeSet& codes,
                      const CodeSet& refusals);

}  // namespace postern::dnsbl
