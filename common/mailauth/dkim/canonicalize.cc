#include "common/mailauth/dkim/canonicalize.h"

namespace postern::mailauth::dkim {
namespace {

bool wsp(char c) { return c == ' ' || c == '\t'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string canonicalize_header(Canon canon, std::string_view raw) {
  std::string out;
  out.reserve(raw.size() + 2);
  if (canon == Canon::simple) {
    // Normalise line ends to CRLF; a bare CR stays an octet.
    for (std::size_t i = 0; i < raw.size(); ++i) {
      const char c = raw[i];
      if (c == '\n') {
        out += "\r\n";
      } else if (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') {
        continue;  // the LF writes the CRLF
      } else {
        out += c;
      }
    }
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
    return out;
  }
  const std::size_t colon = raw.find(':');
  std::string_view name = raw.substr(0, colon);
  while (!name.empty() && wsp(name.back())) name.remove_suffix(1);
  for (char c : name) out += lower(c);
  out += ':';
  if (colon == std::string_view::npos) return out + "\r\n";
  bool space = false;  // a WSP run (or folding) seen since the last octet written
  bool started = false;
  for (std::size_t i = colon + 1; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\n' || (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n')) {
      continue;  // unfolding: the line end goes, the WSP after it stays (and collapses)
    }
    if (wsp(c)) {
      space = true;
      continue;
    }
    if (space && started) out += ' ';
    space = false;
    started = true;
    out += c;
  }
  out += "\r\n";
  return out;
}

void BodyCanonicalizer::line_end() {
  ++pending_crlfs_;
  pending_wsp_ = false;  // relaxed: WSP before a line end is dropped
}

void BodyCanonicalizer::content(std::string_view run, std::string& out) {
  for (; pending_crlfs_ > 0; --pending_crlfs_) out += "\r\n";
  if (pending_wsp_) {
    out += ' ';
    pending_wsp_ = false;
  }
  out.append(run);
  wrote_ = true;
}

void BodyCanonicalizer::update(std::string_view chunk, std::string& out) {
  const bool relaxed = canon_ == Canon::relaxed;
  // Octets that are copied as they are: everything but line ends and, when relaxed, WSP.
  auto ordinary = [relaxed](char c) { return c != '\r' && c != '\n' && !(relaxed && wsp(c)); };
  std::size_t i = 0;
  while (i < chunk.size()) {
    const char c = chunk[i];
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        line_end();
        ++i;
        continue;
      }
      content("\r", out);  // a bare CR is content
    }
    if (c == '\r') {
      pending_cr_ = true;
      ++i;
    } else if (c == '\n') {
      line_end();  // bare LF treated as CRLF
      ++i;
    } else if (!ordinary(c)) {
      pending_wsp_ = true;  // relaxed WSP: written as one SP only if content follows
      ++i;
    } else {
      std::size_t j = i + 1;
      while (j < chunk.size() && ordinary(chunk[j])) ++j;
      content(chunk.substr(i, j - i), out);
      i = j;
    }
  }
}

void BodyCanonicalizer::finish(std::string& out) {
  if (pending_cr_) {
    pending_cr_ = false;
    content("\r", out);
  }
  if (canon_ == Canon::simple) {
    // Whatever was pending (trailing empty lines, or none) becomes exactly one CRLF; an empty
    // body is a single CRLF (3.4.3).
    out += "\r\n";
  } else if (wrote_) {
    // Relaxed (3.4.4): a body with content ends in exactly one CRLF (pending trailing line
    // ends collapse into it); a body of only WSP and empty lines is empty.
    out += "\r\n";
  }
  pending_crlfs_ = 0;
  pending_wsp_ = false;
}

std::string canonicalize_body(Canon canon, std::string_view body) {
  std::string out;
  BodyCanonicalizer c(canon);
  c.update(body, out);
  c.finish(out);
  return out;
}

}  // namespace postern::mailauth::dkim
