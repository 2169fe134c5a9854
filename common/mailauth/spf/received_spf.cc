#include "common/mailauth/spf/received_spf.h"

#include <vector>

namespace postern::spf {
namespace {

bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

char printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 0x20 && u <= 0x7e) ? c : '?';
}

bool is_dot_atom(std::string_view v) {
  if (v.empty() || v.front() == '.' || v.back() == '.') return false;
  char previous = 0;
  for (char c : v) {
    if (c == '.' ? previous == '.' : !is_atext(c)) return false;
    previous = c;
  }
  return true;
}

// dot-atom / quoted-string (RFC 7208 9.1 key-value-pair).
std::string value_text(std::string_view v) {
  if (is_dot_atom(v)) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    c = printable(c);
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string comment_text(std::string_view v) {
  std::string out;
  for (char c : v) {
    c = printable(c);
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string comment(const Verdict& v, const ReceivedSpfContext& c) {
  const std::string& who = v.sender;
  const std::string& ip = c.client_ip;
  std::string text = c.receiver + ": ";
  switch (v.result) {
    case Result::pass:
      return text + "domain of " + who + " designates " + ip + " as permitted sender";
    case Result::fail:
      return text + "domain of " + who + " does not designate " + ip + " as permitted sender";
    case Result::softfail:
      return text + "domain of transitioning " + who + " does not designate " + ip +
             " as permitted sender";
    case Result::neutral:
      return text + ip + " is neither permitted nor denied by domain of " + who;
    case Result::none:
      return text + "domain of " + who + " does not designate permitted sender hosts";
    case Result::temperror:
      return text + "temporary error checking the SPF policy of " + v.domain;
    case Result::permerror:
      return text + "permanent error in the SPF policy of " + v.domain;
  }
  return text;
}

std::vector<std::string> pairs(const Verdict& v, const ReceivedSpfContext& c) {
  std::vector<std::string> out;
  out.push_back("receiver=" + value_text(c.receiver));
  out.push_back("client-ip=" + value_text(c.client_ip));
  out.push_back("envelope-from=" + value_text(c.envelope_from));
  out.push_back("helo=" + value_text(c.helo));
  out.push_back("identity=" + std::string(to_string(v.identity)));
  if (!v.mechanism.empty()) out.push_back("mechanism=" + value_text(v.mechanism));
  if ((v.result == Result::temperror || v.result == Result::permerror) && !v.problem.empty())
    out.push_back("problem=" + value_text(v.problem));
  return out;
}

}  // namespace

std::string received_spf_value(const Verdict& verdict, const ReceivedSpfContext& context) {
  std::string out(to_string(verdict.result));
  out += " (" + comment_text(comment(verdict, context)) + ")";
  for (const auto& pair : pairs(verdict, context)) out += " " + pair + ";";
  if (!out.empty() && out.back() == ';') out.pop_back();
  return out;
}

std::string received_spf_field(const Verdict& verdict, const ReceivedSpfContext& context) {
  std::string out = "Received-SPF: ";
  out += to_string(verdict.result);
  out += " (" + comment_text(comment(verdict, context)) + ")";
  std::size_t line = out.size();
  const auto items = pairs(verdict, context);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string item = items[i] + (i + 1 < items.size() ? ";" : "");
    if (line + 1 + item.size() > 78) {
      out += "\r\n\t";
      line = 8;
    } else {
      out += ' ';
      ++line;
    }
    out += item;
    line += item.size();
  }
  return out + "\r\n";
}

}  // namespace postern::spf
