#include "common/smtp/codec/command.h"

#include <algorithm>
#include <charconv>
#include <vector>

namespace postern::smtp::codec {
namespace {

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (upper(a[i]) != upper(b[i])) return false;
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = upper(c);
  return out;
}

Reply syntax(std::string text) { return Reply(501, {5, 5, 4}, std::move(text)); }
Reply unknown() { return Reply(500, {5, 5, 2}, "Error: command not recognized"); }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  if (!all_digits(s) || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// RFC 3461 4: xtext = *( xchar / hexchar ); hexchar = "+" 2(%x30-39 / %x41-46)
bool valid_xtext(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '+') {
      if (i + 2 >= s.size()) return false;
      for (int k = 1; k <= 2; ++k) {
        const char h = s[i + k];
        if (!((h >= '0' && h <= '9') || (h >= 'A' && h <= 'F'))) return false;
      }
      i += 2;
    } else if (c < 33 || c > 126 || c == '=') {
      return false;
    }
  }
  return true;
}

// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
bool valid_keyword(std::string_view k) {
  if (k.empty()) return false;
  for (std::size_t i = 0; i < k.size(); ++i) {
    const char c = upper(k[i]);
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && !(i > 0 && c == '-')) return false;
  }
  return true;
}

// esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 octets (RFC 6531 3.3)
bool valid_value(std::string_view v) {
  if (v.empty()) return false;
  for (unsigned char c : v)
    if (!((c >= 33 && c <= 126 && c != '=') || c >= 0x80)) return false;
  return true;
}

struct Param {
  std::string keyword;  // upper-cased
  std::string_view value;
  bool has_value = false;
};

// Splits "KEY=VALUE KEY2" (one or more SP between, as some clients send) into params.
std::optional<std::vector<Param>> split_params(std::string_view s) {
  std::vector<Param> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size()) break;
    std::size_t end = s.find(' ', i);
    if (end == std::string_view::npos) end = s.size();
    std::string_view item = s.substr(i, end - i);
    Param p;
    const std::size_t eq = item.find('=');
    std::string_view key = item.substr(0, eq);
    if (!valid_keyword(key)) return std::nullopt;
    p.keyword = to_upper(key);
    if (eq != std::string_view::npos) {
      p.value = item.substr(eq + 1);
      p.has_value = true;
      if (!valid_value(p.value)) return std::nullopt;
    }
    for (const auto& prev : out)
      if (prev.keyword == p.keyword) return std::nullopt;  // duplicates are errors
    out.push_back(std::move(p));
    i = end;
  }
  return out;
}

Reply address_reply(AddressError e, PathKind kind) {
  const bool from = kind == PathKind::reverse;
  const EnhancedStatus st = from ? EnhancedStatus{5, 1, 7} : EnhancedStatus{5, 1, 3};
  const std::string who = from ? "sender" : "recipient";
  switch (e) {
    case AddressError::non_ascii:
      return Reply(553, {5, 6, 7}, "Non-ASCII " + who + " address requires SMTPUTF8");
    case AddressError::local_too_long:
      return Reply(501, st, "Bad " + who + " address: local part longer than 64 octets");
    case AddressError::domain_too_long:
      return Reply(501, st, "Bad " + who + " address: domain longer than 255 octets");
    case AddressError::path_too_long:
      return Reply(501, st, "Bad " + who + " address: path longer than 256 octets");
    default:
      return Reply(501, st, "Bad " + who + " address syntax");
  }
}

// "FROM:<path> params" / "TO:<path> params". Tolerates spaces after the colon (common in
// the wild, harmless). The path's end is found permissively (UTF-8 allowed); the caller then
// judges the path text with the transaction's real SMTPUTF8 setting.
struct PathAndParams {
  std::string_view path_text;
  std::string_view params;
  AddressError probe_error = AddressError::none;
  bool bad_syntax = false;
};

PathAndParams split_path(std::string_view args, std::string_view prefix, PathKind kind) {
  PathAndParams out;
  if (!istarts_with(args, prefix)) {
    out.bad_syntax = true;
    return out;
  }
  std::string_view rest = args.substr(prefix.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty() || rest.front() != '<') {
    out.bad_syntax = true;
    return out;
  }
  const PathResult probe = parse_path(rest, kind, true);
  if (probe.consumed == 0) {
    out.probe_error = probe.error;
    return out;
  }
  out.path_text = rest.substr(0, probe.consumed);
  out.params = rest.substr(probe.consumed);
  if (!out.params.empty() && out.params.front() != ' ') out.bad_syntax = true;
  return out;
}

CommandResult parse_mail(std::string_view args) {
  static const Reply kSyntax = syntax("Syntax: MAIL FROM:<address> [parameters]");
  PathAndParams pp = split_path(args, "FROM:", PathKind::reverse);
  if (pp.bad_syntax) return kSyntax;
  if (pp.path_text.empty()) return address_reply(pp.probe_error, PathKind::reverse);
  auto params = split_params(pp.params);
  if (!params) return syntax("Bad or duplicate MAIL parameters");
  MailFrom m;
  for (const Param& p : *params) {
    if (p.keyword == "SIZE") {
      auto v = p.has_value ? parse_u64(p.value) : std::nullopt;
      if (!v) return syntax("Bad SIZE parameter");
      m.size = v;
    } else if (p.keyword == "BODY") {
      if (iequals(p.value, "7BIT")) m.body = BodyType::seven_bit;
      else if (iequals(p.value, "8BITMIME")) m.body = BodyType::eight_bit_mime;
      else return syntax("Unsupported BODY type");
    } else if (p.keyword == "SMTPUTF8") {
      if (p.has_value) return syntax("SMTPUTF8 takes no value");
      m.smtputf8 = true;
    } else if (p.keyword == "RET") {
      if (!iequals(p.value, "FULL") && !iequals(p.value, "HDRS")) return syntax("Bad RET parameter");
      m.ret = to_upper(p.value);
    } else if (p.keyword == "ENVID") {
      if (!p.has_value || p.value.size() > 100 || !valid_xtext(p.value))
        return syntax("Bad ENVID parameter");
      m.envid.assign(p.value);
    } else if (p.keyword == "AUTH") {
      if (!p.has_value || (p.value != "<>" && !valid_xtext(p.value)))
        return syntax("Bad AUTH parameter");
      m.auth.assign(p.value);
    } else {
      return Reply(555, {5, 5, 4}, "Unsupported MAIL parameter " + p.keyword);
    }
  }
  // The address is judged with the transaction's own SMTPUTF8 setting.
  PathResult path = parse_path(pp.path_text, PathKind::reverse, m.smtputf8);
  if (!path.ok()) return address_reply(path.error, PathKind::reverse);
  m.from = std::move(path.mailbox);
  return Command(std::move(m));
}

bool valid_notify(std::string_view v) {
  if (iequals(v, "NEVER")) return true;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = v.find(',', start);
    std::string_view item =
        v.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!iequals(item, "SUCCESS") && !iequals(item, "FAILURE") && !iequals(item, "DELAY"))
      return false;
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

CommandResult parse_rcpt(std::string_view args, const ParseContext& ctx) {
  static const Reply kSyntax = syntax("Syntax: RCPT TO:<address> [parameters]");
  PathAndParams pp = split_path(args, "TO:", PathKind::forward);
  if (pp.bad_syntax) return kSyntax;
  if (pp.path_text.empty()) return address_reply(pp.probe_error, PathKind::forward);
  PathResult path = parse_path(pp.path_text, PathKind::forward, ctx.smtputf8_transaction);
  if (!path.ok()) return address_reply(path.error, PathKind::forward);
  auto params = split_params(pp.params);
  if (!params) return syntax("Bad or duplicate RCPT parameters");
  RcptTo r;
  for (const Param& p : *params) {
    if (p.keyword == "NOTIFY") {
      if (!p.has_value || !valid_notify(p.value)) return syntax("Bad NOTIFY parameter");
      r.notify = to_upper(p.value);
    } else if (p.keyword == "ORCPT") {
      const std::size_t semi = p.value.find(';');
      if (!p.has_value || semi == std::string_view::npos || semi == 0 ||
          !valid_keyword(p.value.substr(0, semi)))
        return syntax("Bad ORCPT parameter");
      r.orcpt.assign(p.value);
    } else {
      return Reply(555, {5, 5, 4}, "Unsupported RCPT parameter " + p.keyword);
    }
  }
  r.to = std::move(path.mailbox);
  return Command(std::move(r));
}

// EHLO/HELO argument: a domain or address literal. Lenient about '_' (seen from real
// Windows hosts); anything else is refused because it ends up in our Received header.
std::optional<std::string> helo_domain(std::string_view arg) {
  std::string d = normalise_domain(arg, true, true);
  if (!d.empty()) return d;
  if (arg.empty() || arg.size() > 255) return std::nullopt;
  for (char c : arg) {
    const char u = upper(c);
    if (!((u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' || u == '.' || u == '_'))
      return std::nullopt;
  }
  std::string out(arg);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

bool valid_mechanism(std::string_view m) {
  if (m.empty() || m.size() > 20) return false;
  for (char c : m) {
    const char u = upper(c);
    if (!((u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' || u == '_')) return false;
  }
  return true;
}

}  // namespace

std::string command_verb(std::string_view line) {
  const std::size_t sp = line.find(' ');
  return to_upper(line.substr(0, std::min<std::size_t>(sp, 16)));
}

CommandResult parse_command(std::string_view line, const ParseContext& ctx) {
  // Trailing blanks are tolerated (some clients send "QUIT "); leading ones are not.
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  const std::size_t sp = line.find(' ');
  const std::string_view verb = line.substr(0, sp);
  const std::string_view args =
      sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  const bool has_args = sp != std::string_view::npos;

  if (iequals(verb, "EHLO") || iequals(verb, "HELO")) {
    const bool ext = upper(verb[0]) == 'E';
    auto d = helo_domain(args);
    if (!d) return syntax(ext ? "Syntax: EHLO hostname" : "Syntax: HELO hostname");
    return Command(Helo{std::move(*d), ext});
  }
  if (iequals(verb, "MAIL")) return parse_mail(args);
  if (iequals(verb, "RCPT")) return parse_rcpt(args, ctx);
  if (iequals(verb, "DATA")) {
    if (has_args) return syntax("Syntax: DATA");
    return Command(Data{});
  }
  if (iequals(verb, "BDAT")) {
    const std::size_t sp2 = args.find(' ');
    auto size = parse_u64(args.substr(0, sp2));
    if (!size) return syntax("Syntax: BDAT chunk-size [LAST]");
    Bdat b{*size, false};
    if (sp2 != std::string_view::npos) {
      if (!iequals(args.substr(sp2 + 1), "LAST")) return syntax("Syntax: BDAT chunk-size [LAST]");
      b.last = true;
    }
    return Command(b);
  }
  if (iequals(verb, "RSET")) {
    if (has_args) return syntax("Syntax: RSET");
    return Command(Rset{});
  }
  if (iequals(verb, "NOOP")) return Command(Noop{});  // NOOP [SP String]
  if (iequals(verb, "QUIT")) {
    if (has_args) return syntax("Syntax: QUIT");
    return Command(Quit{});
  }
  if (iequals(verb, "VRFY")) {
    if (args.empty()) return syntax("Syntax: VRFY address");
    return Command(Vrfy{std::string(args)});
  }
  if (iequals(verb, "HELP")) return Command(Help{});
  if (iequals(verb, "STARTTLS")) {
    if (has_args) return syntax("Syntax: STARTTLS");
    return Command(StartTls{});
  }
  if (iequals(verb, "AUTH")) {
    const std::size_t sp2 = args.find(' ');
    const std::string_view mech = args.substr(0, sp2);
    if (!valid_mechanism(mech)) return syntax("Syntax: AUTH mechanism [initial-response]");
    Auth a{to_upper(mech), std::nullopt};
    if (sp2 != std::string_view::npos) {
      std::string_view ir = args.substr(sp2 + 1);
      if (ir.empty() || ir.find(' ') != std::string_view::npos)
        return syntax("Syntax: AUTH mechanism [initial-response]");
      a.initial_response = std::string(ir);
    }
    return Command(std::move(a));
  }
  return unknown();
}

}  // namespace postern::smtp::codec
