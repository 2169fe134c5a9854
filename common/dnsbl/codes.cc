#include "common/dnsbl/codes.h"

#include <boost/system/error_code.hpp>

namespace postern::dnsbl {
namespace asio = boost::asio;
namespace {

constexpr uint32_t kLoopbackNet = 0x7f000000;

bool in_loopback(uint32_t a) { return (a & 0xff000000) == kLoopbackNet; }

std::optional<uint32_t> parse_v4(std::string_view text) {
  // Strict dotted quad only: make_address_v4 would accept nothing else anyway, but says
  // nothing useful about what was wrong.
  boost::system::error_code ec;
  const auto a = asio::ip::make_address_v4(std::string(text), ec);
  if (ec) return std::nullopt;
  return a.to_uint();
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// One entry; "" on success, else the reason.
std::string parse_one(const std::string& raw, CodeSet& set) {
  const std::string entry = trim(raw);
  if (entry.rfind("mask:", 0) == 0) {
    const auto mask = parse_v4(trim(std::string_view(entry).substr(5)));
    if (!mask) return "not an IPv4 mask after \"mask:\"";
    if (*mask == 0) return "a zero mask matches nothing";
    if ((*mask & 0xff000000) != 0 && (*mask & 0xff000000) != kLoopbackNet) {
      return "a mask applies to the low 24 bits (0.x.y.z or 127.x.y.z)";
    }
    set.add_mask(*mask & 0x00ffffff);
    return {};
  }
  if (const auto slash = entry.find('/'); slash != std::string::npos) {
    const auto base = parse_v4(trim(std::string_view(entry).substr(0, slash)));
    if (!base) return "not an IPv4 address before '/'";
    const std::string len_text = trim(std::string_view(entry).substr(slash + 1));
    if (len_text.empty() || len_text.size() > 2 ||
        len_text.find_first_not_of("0123456789") != std::string::npos) {
      return "prefix length is not a number";
    }
    const int len = std::stoi(len_text);
    if (len < 8 || len > 32) return "prefix length must be 8-32";
    const uint32_t host = len == 32 ? 0 : (0xffffffffu >> len);
    if (*base & host) return "host bits set below the prefix";
    if (!in_loopback(*base)) return "codes must lie in 127.0.0.0/8";
    set.add_range({*base, *base | host});
    return {};
  }
  if (const auto dash = entry.find('-'); dash != std::string::npos) {
    const auto first = parse_v4(trim(std::string_view(entry).substr(0, dash)));
    const auto last = parse_v4(trim(std::string_view(entry).substr(dash + 1)));
    if (!first || !last) return "not an IPv4 range \"a.b.c.d-e.f.g.h\"";
    if (*first > *last) return "range ends before it starts";
    if (!in_loopback(*first) || !in_loopback(*last)) return "codes must lie in 127.0.0.0/8";
    set.add_range({*first, *last});
    return {};
  }
  const auto a = parse_v4(entry);
  if (!a) return "not an IPv4 address, range, block or mask:";
  if (!in_loopback(*a)) return "codes must lie in 127.0.0.0/8";
  set.add_range({*a, *a});
  return {};
}

}  // namespace

bool CodeSet::matches(const asio::ip::address_v4& address) const {
  const uint32_t a = address.to_uint();
  if (!in_loopback(a)) return false;
  if (empty()) return true;
  if ((a & mask_) != 0) return true;
  for (const auto& r : ranges_) {
    if (a >= r.first && a <= r.last) return true;
  }
  return false;
}

CodeSetParse parse_codes(const std::vector<std::string>& codes) {
  CodeSetParse out;
  CodeSet set;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (auto why = parse_one(codes[i], set); !why.empty()) {
      // The entry is config text, not secret: quote it (bounded) so the operator finds it.
      const std::string shown = codes[i].size() > 64 ? codes[i].substr(0, 64) + "..." : codes[i];
      out.error = "code " + std::to_string(i + 1) + " \"" + shown + "\": " + why;
      return out;
    }
  }
  out.codes = std::move(set);
  return out;
}

CodeSet default_refusal_codes() {
  CodeSet set;
  set.add_range({0x7ffffffc, 0x7fffffff});
  return set;
}

Interpreted interpret(const std::vector<asio::ip::address>& answers, const CodeSet& codes,
                      const CodeSet& refusals) {
  Interpreted out;
  for (const auto& a : answers) {
    if (!a.is_v4() || !in_loopback(a.to_v4().to_uint())) {
      out.result = Interpretation::bogus;
      out.error = "answer " + a.to_string() + " is outside 127.0.0.0/8";
      out.matched.clear();
      return out;
    }
  }
  for (const auto& a : answers) {
    // An empty refusal set must not match everything here (CodeSet's empty = any).
    if (!refusals.empty() && refusals.matches(a.to_v4())) {
      out.result = Interpretation::refused;
      out.error = "answer " + a.to_string() + " means the list refuses this resolver";
      return out;
    }
  }
  for (const auto& a : answers) {
    if (codes.matches(a.to_v4())) out.matched.push_back(a.to_v4());
  }
  out.result = out.matched.empty() ? Interpretation::not_listed : Interpretation::listed;
  return out;
}

}  // namespace postern::dnsbl
