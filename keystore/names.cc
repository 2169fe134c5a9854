#include "keystore/names.h"

namespace postern::keystore {
namespace {

bool printable(std::string_view s) {
  for (const char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// `what` "name" quoted when it is printable, for error messages.
std::string quoted(std::string_view what, std::string_view name) {
  if (!printable(name) || name.size() > kMaxDomainBytes) return std::string(what);
  return std::string(what) + " \"" + std::string(name) + "\"";
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool ldh(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// Lower-cases `name` and checks it is dot-separated LDH labels (no trailing dot); nullopt and
// `why` set when not.
std::optional<std::string> lower_labels(std::string_view name, std::string& why) {
  if (name.empty()) {
    why = "is empty";
    return std::nullopt;
  }
  if (name.size() > kMaxDomainBytes) {
    why = "is longer than 253 bytes";
    return std::nullopt;
  }
  std::string out;
  out.reserve(name.size());
  std::size_t label = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0) {
        why = "has an empty label";
        return std::nullopt;
      }
      if (out.back() == '-' || out[out.size() - label] == '-') {
        why = "has a label that starts or ends with '-'";
        return std::nullopt;
      }
      if (i < name.size()) out.push_back('.');
      label = 0;
      continue;
    }
    const char c = lower(name[i]);
    if (static_cast<unsigned char>(c) >= 0x80) {
      why = "is not ASCII: give an internationalized name as its A-label (xn--...)";
      return std::nullopt;
    }
    if (!ldh(c)) {
      why = "may contain only letters, digits, '-' and '.'";
      return std::nullopt;
    }
    if (++label > kMaxLabelBytes) {
      why = "has a label longer than 63 bytes";
      return std::nullopt;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string DkimName::entry_name() const {
  std::string out = domain;
  out.push_back('\0');
  out.append(selector);
  return out;
}

std::string DkimName::dns_name() const { return selector + "._domainkey." + domain; }

Result<std::string> normalize_domain(std::string_view domain) {
  std::string_view d = domain;
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  std::string why;
  std::optional<std::string> out = lower_labels(d, why);
  if (!out) return make_error(Errc::invalid_argument, quoted("domain", domain) + " " + why);
  return std::move(*out);
}

Result<DkimName> normalize_dkim_name(std::string_view domain, std::string_view selector) {
  Result<std::string> d = normalize_domain(domain);
  if (!d.ok()) return d.error();
  std::string why;
  std::optional<std::string> s = lower_labels(selector, why);
  if (!s) return make_error(Errc::invalid_argument, quoted("selector", selector) + " " + why);
  DkimName name{std::move(d).value(), std::move(*s)};
  if (name.dns_name().size() > kMaxDomainBytes) {
    return make_error(Errc::invalid_argument,
                      "SELECTOR._domainkey.DOMAIN is longer than 253 bytes");
  }
  return name;
}

std::optional<DkimName> parse_dkim_entry_name(std::string_view entry_name) {
  const std::size_t nul = entry_name.find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  Result<DkimName> name = normalize_dkim_name(entry_name.substr(0, nul), entry_name.substr(nul + 1));
  if (!name.ok() || name.value().entry_name() != entry_name) return std::nullopt;
  return std::move(name).value();
}

std::optional<Error> check_secret_name(std::string_view name) {
  const auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '@' || c == '+' || c == '-';
  };
  if (name.empty() || name.size() > kMaxSecretNameBytes) {
    return make_error(Errc::invalid_argument, "a secret name is 1 to 128 characters");
  }
  for (const char c : name) {
    if (!allowed(c)) {
      return make_error(Errc::invalid_argument,
                        quoted("secret name", name) +
                            " may contain only letters, digits and . _ @ + -");
    }
  }
  return std::nullopt;
}

}  // namespace postern::keystore
