#include "common/mailauth/authres/builder.h"

#include "common/mailauth/authres/value.h"

namespace postern::mailauth::authres {
namespace {

std::string keyword(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (ok) out += c;
  }
  return out;
}

// Appends elements separated by SP, folding with CRLF HTAB before one that would not fit.
class Folder {
 public:
  Folder(std::string& out, std::size_t fold_at) : out_(out), fold_at_(fold_at) {
    column_ = out_.size();
  }
  void add(std::string_view element) {
    if (column_ + 1 + element.size() > fold_at_) {
      out_ += "\r\n\t";
      column_ = 1;  // HTAB counted as one column
    } else {
      out_ += ' ';
      ++column_;
    }
    out_ += element;
    column_ += element.size();
  }

 private:
  std::string& out_;
  std::size_t fold_at_;
  std::size_t column_;
};

MethodResult method(std::string_view name, std::string_view result) {
  MethodResult m;
  m.method = std::string(name);
  m.result = std::string(result);
  return m;
}

}  // namespace

std::string format_field(const AuthenticationResults& ar, std::size_t fold_at) {
  std::string out = "Authentication-Results:";
  Folder folder(out, fold_at);
  std::string id = format_value(ar.authserv_id);
  if (ar.results.empty()) {
    folder.add(id + ";");
    folder.add("none");
  } else {
    folder.add(id + ";");
    for (std::size_t i = 0; i < ar.results.size(); ++i) {
      const MethodResult& m = ar.results[i];
      std::vector<std::string> elements;
      elements.push_back(keyword(m.method) + "=" + keyword(m.result));
      if (!m.reason.empty()) elements.push_back("reason=" + format_value(m.reason));
      for (const Property& p : m.properties) {
        elements.push_back(keyword(p.ptype) + "." + keyword(p.property) + "=" +
                           format_value(p.value));
      }
      if (i + 1 < ar.results.size()) elements.back() += ';';
      for (const std::string& e : elements) folder.add(e);
    }
  }
  out += "\r\n";
  return out;
}

MethodResult spf(std::string_view result, std::string_view mailfrom) {
  MethodResult m = method("spf", result);
  m.properties.push_back(Property{"smtp", "mailfrom", std::string(mailfrom)});
  return m;
}

MethodResult dkim(std::string_view result, std::string_view d, std::string_view s,
                  std::string_view b) {
  MethodResult m = method("dkim", result);
  m.properties.push_back(Property{"header", "d", std::string(d)});
  if (!s.empty()) m.properties.push_back(Property{"header", "s", std::string(s)});
  if (!b.empty()) m.properties.push_back(Property{"header", "b", std::string(b)});
  return m;
}

MethodResult dmarc(std::string_view result, std::string_view header_from) {
  MethodResult m = method("dmarc", result);
  m.properties.push_back(Property{"header", "from", std::string(header_from)});
  return m;
}

MethodResult iprev(std::string_view result, std::string_view ip) {
  MethodResult m = method("iprev", result);
  m.properties.push_back(Property{"policy", "iprev", std::string(ip)});
  return m;
}

}  // namespace postern::mailauth::authres
