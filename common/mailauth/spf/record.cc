// Grammar (RFC 7208 12):
//   record    = version terms *SP              version = "v=spf1"
//   terms     = *( 1*SP ( directive / modifier ) )
//   directive = [ qualifier ] mechanism        qualifier = "+" / "-" / "?" / "~"
//   modifier  = redirect / explanation / unknown-modifier
//   unknown-modifier = name "=" macro-string   name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
//   ip4-cidr-length = "/" ( "0" / %x31-39 0*1DIGIT )  ; 0-32
//   ip6-cidr-length = "/" ( "0" / %x31-39 0*2DIGIT )  ; 0-128
//   dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
// A term whose leading name is followed by "=" is a modifier; anything else must be a
// directive. "redirect" and "exp" are never unknown modifiers (RFC 7208 erratum; suite
// redirect-syntax-error), so a malformed value of theirs is a permerror.
#include "common/mailauth/spf/record.h"

#include "common/mailauth/spf/macro.h"

namespace postern::spf {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

ParseError error(std::string what, std::string_view term) {
  return ParseError{std::move(what) + " in \"" + std::string(term.substr(0, 64)) + "\""};
}

// "/" then a CIDR length without leading zeros, at most `max`. Consumes from `rest`.
std::optional<int> take_cidr(std::string_view& rest, int max) {
  if (rest.empty() || rest.front() != '/') return std::nullopt;
  std::size_t i = 1;
  int value = 0;
  while (i < rest.size() && is_digit(rest[i]) && i <= 3) value = value * 10 + (rest[i++] - '0');
  const std::size_t digits = i - 1;
  if (digits == 0 || digits > 3 || (digits > 1 && rest[1] == '0') || value > max)
    return std::nullopt;
  rest.remove_prefix(i);
  return value;
}

// Splits "domain-spec[dual-cidr]" (a, mx): the CIDR part is the suffix "/n", "//n" or
// "/n//m" made of digits only; everything before it is the domain-spec.
struct DomainAndCidr {
  std::string_view domain;
  std::string_view cidr;
};
DomainAndCidr split_dual_cidr(std::string_view arg) {
  // Walk back over the longest suffix of the form ("/" digits)+ with an optional "//".
  std::size_t cut = arg.size();
  for (int parts = 0; parts < 3; ++parts) {
    std::size_t i = cut;
    while (i > 0 && is_digit(arg[i - 1])) --i;
    if (i == cut || i == 0 || arg[i - 1] != '/') break;
    cut = i - 1;
    if (cut > 0 && arg[cut - 1] == '/') --cut;  // the "//" of an ip6 length
  }
  return {arg.substr(0, cut), arg.substr(cut)};
}

std::optional<ParseError> parse_dual_cidr(std::string_view cidr, Mechanism& m,
                                          std::string_view term) {
  if (cidr.empty()) return std::nullopt;
  if (cidr.size() >= 2 && cidr[0] == '/' && cidr[1] != '/') {
    auto v4 = take_cidr(cidr, 32);
    if (!v4) return error("invalid ip4-cidr-length", term);
    m.cidr4 = *v4;
  }
  if (!cidr.empty()) {
    if (cidr.size() < 2 || cidr[0] != '/' || cidr[1] != '/')
      return error("invalid dual-cidr-length", term);
    cidr.remove_prefix(1);
    auto v6 = take_cidr(cidr, 128);
    if (!v6) return error("invalid ip6-cidr-length", term);
    m.cidr6 = *v6;
  }
  if (!cidr.empty()) return error("invalid dual-cidr-length", term);
  return std::nullopt;
}

std::optional<ParseError> parse_mechanism(std::string_view term, Record& record) {
  Mechanism m;
  m.text = std::string(term);
  std::string_view body = term;
  switch (body.empty() ? '\0' : body.front()) {
    case '+': m.qualifier = Qualifier::pass; body.remove_prefix(1); break;
    case '-': m.qualifier = Qualifier::fail; body.remove_prefix(1); break;
    case '~': m.qualifier = Qualifier::softfail; body.remove_prefix(1); break;
    case '?': m.qualifier = Qualifier::neutral; body.remove_prefix(1); break;
    default: break;
  }
  std::size_t name_end = 0;
  while (name_end < body.size() && body[name_end] != ':' && body[name_end] != '/') ++name_end;
  const std::string_view name = body.substr(0, name_end);
  std::string_view rest = body.substr(name_end);  // "" or ":..." or "/..."
  const bool has_arg = !rest.empty() && rest.front() == ':';
  const std::string_view arg = has_arg ? rest.substr(1) : std::string_view{};

  auto need_domain = [&](std::string_view spec) -> std::optional<ParseError> {
    if (!is_valid_domain_spec(spec)) return error("invalid domain-spec", term);
    m.domain_spec = std::string(spec);
    return std::nullopt;
  };

  if (iequals(name, "all")) {
    if (!rest.empty()) return error("\"all\" takes no argument", term);
    m.kind = MechanismKind::all;
  } else if (iequals(name, "include") || iequals(name, "exists")) {
    m.kind = iequals(name, "include") ? MechanismKind::include : MechanismKind::exists;
    if (!has_arg) return error("missing domain-spec", term);
    if (auto e = need_domain(arg)) return e;
  } else if (iequals(name, "a") || iequals(name, "mx")) {
    m.kind = iequals(name, "a") ? MechanismKind::a : MechanismKind::mx;
    std::string_view cidr = rest;
    if (has_arg) {
      const auto split = split_dual_cidr(arg);
      if (auto e = need_domain(split.domain)) return e;
      cidr = split.cidr;
    }
    if (auto e = parse_dual_cidr(cidr, m, term)) return e;
  } else if (iequals(name, "ptr")) {
    m.kind = MechanismKind::ptr;
    if (has_arg) {
      if (auto e = need_domain(arg)) return e;
    } else if (!rest.empty()) {
      return error("\"ptr\" takes no CIDR length", term);
    }
  } else if (iequals(name, "ip4") || iequals(name, "ip6")) {
    const bool v6 = iequals(name, "ip6");
    m.kind = v6 ? MechanismKind::ip6 : MechanismKind::ip4;
    if (!has_arg) return error("missing network", term);
    const std::size_t slash = arg.find('/');
    const std::string_view network = arg.substr(0, slash);
    std::string_view cidr = slash == std::string_view::npos ? std::string_view{} : arg.substr(slash);
    auto ip = v6 ? parse_ip6(network) : parse_ip4(network);
    if (!ip) return error(v6 ? "invalid ip6-network" : "invalid ip4-network", term);
    // An ip6 network that is IPv4-mapped stays an IPv6 network: it matches nothing, since
    // every IPv4-mapped client is treated as IPv4 (5/9/2).
    if (v6 && !ip->v6) {
      Ip mapped;
      mapped.v6 = true;
      mapped.bytes[10] = mapped.bytes[11] = 0xff;
      for (int i = 0; i < 4; ++i) mapped.bytes[12 + i] = ip->bytes[i];
      ip = mapped;
    }
    m.network = *ip;
    if (!cidr.empty()) {
      auto length = take_cidr(cidr, v6 ? 128 : 32);
      if (!length || !cidr.empty()) return error("invalid CIDR length", term);
      (v6 ? m.cidr6 : m.cidr4) = *length;
    }
  } else {
    return error("unknown mechanism", term);
  }
  record.mechanisms.push_back(std::move(m));
  return std::nullopt;
}

// Returns the length of a modifier name at the start of `term` followed by "=", or 0.
std::size_t modifier_name_length(std::string_view term) {
  if (term.empty() || !is_alpha(term.front())) return 0;
  std::size_t i = 1;
  while (i < term.size() && (is_alpha(term[i]) || is_digit(term[i]) || term[i] == '-' ||
                             term[i] == '_' || term[i] == '.'))
    ++i;
  return (i < term.size() && term[i] == '=') ? i : 0;
}

std::optional<ParseError> parse_term(std::string_view term, Record& record) {
  if (const std::size_t n = modifier_name_length(term)) {
    const std::string_view name = term.substr(0, n);
    const std::string_view value = term.substr(n + 1);
    if (iequals(name, "redirect") || iequals(name, "exp")) {
      auto& slot = iequals(name, "redirect") ? record.redirect : record.explanation;
      if (slot) return error("modifier appears twice", term);
      if (!is_valid_domain_spec(value)) return error("invalid domain-spec", term);
      slot = std::string(value);
      return std::nullopt;
    }
    if (!is_valid_macro_string(value, MacroMode::modifier))
      return error("invalid macro-string", term);
    return std::nullopt;  // unknown modifiers are ignored (6)
  }
  return parse_mechanism(term, record);
}

}  // namespace

bool is_spf_record(std::string_view txt) {
  constexpr std::string_view kVersion = "v=spf1";
  if (txt.size() < kVersion.size() || !iequals(txt.substr(0, kVersion.size()), kVersion))
    return false;
  return txt.size() == kVersion.size() || txt[kVersion.size()] == ' ';
}

std::string_view to_string(MechanismKind kind) {
  switch (kind) {
    case MechanismKind::all: return "all";
    case MechanismKind::include: return "include";
    case MechanismKind::a: return "a";
    case MechanismKind::mx: return "mx";
    case MechanismKind::ptr: return "ptr";
    case MechanismKind::ip4: return "ip4";
    case MechanismKind::ip6: return "ip6";
    case MechanismKind::exists: return "exists";
  }
  return "all";
}

std::variant<Record, ParseError> parse_record(std::string_view text) {
  if (text.size() > kMaxRecordSize) return ParseError{"record too long"};
  if (!is_spf_record(text)) return ParseError{"not an SPF record"};
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) return ParseError{"record contains a control or non-ASCII octet"};
  }
  Record record;
  std::string_view rest = text.substr(6);
  while (!rest.empty()) {
    // 1*SP before each term; trailing spaces are allowed (record = version terms *SP).
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    const std::size_t end = rest.find(' ');
    const std::string_view term = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    if (auto e = parse_term(term, record)) return *e;
  }
  return record;
}

}  // namespace postern::spf
