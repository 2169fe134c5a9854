#include "services/keymgmt_format.h"

#include <algorithm>
#include <ctime>
#include <sstream>

namespace postern::services {
namespace {

using Row = std::vector<std::string>;

std::string table(const Row& header, const std::vector<Row>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const Row& r : rows) {
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], r[i].size());
    }
  }
  std::ostringstream out;
  auto line = [&](const Row& r) {
    std::string text;
    for (std::size_t i = 0; i < r.size(); ++i) {
      text += r[i];
      if (i + 1 < r.size()) text += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out << text << "\n";
  };
  line(header);
  for (const Row& r : rows) line(r);
  return out.str();
}

}  // namespace

std::string_view key_type_name(postern::v1::DkimKeyType type) {
  switch (type) {
    case postern::v1::DKIM_KEY_TYPE_RSA: return "rsa";
    case postern::v1::DKIM_KEY_TYPE_ED25519: return "ed25519";
    default: return "?";
  }
}

std::vector<std::string> split_txt(std::string_view value, std::size_t max) {
  std::vector<std::string> parts;
  if (max == 0) max = kMaxTxtStringBytes;
  do {
    parts.emplace_back(value.substr(0, max));
    value.remove_prefix(std::min(max, value.size()));
  } while (!value.empty());
  return parts;
}

std::string quoted_txt(std::string_view value) {
  std::string out;
  for (const std::string& part : split_txt(value)) {
    if (!out.empty()) out += ' ';
    out += '"';
    for (char ch : part) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out;
}

std::string zone_file_line(const postern::v1::DkimKeyInfo& key) {
  const std::string txt = quoted_txt(key.dns_value());
  const bool split = key.dns_value().size() > kMaxTxtStringBytes;
  return key.dns_name() + ". 3600 IN TXT " + (split ? "( " + txt + " )" : txt);
}

std::string format_dns_record(const postern::v1::DkimKeyInfo& key) {
  std::ostringstream out;
  out << "Name:  " << key.dns_name() << "\n"
      << "Type:  TXT\n"
      << "Value: " << key.dns_value() << "\n";
  if (key.dns_value().size() > kMaxTxtStringBytes) {
    out << "\nThe value is longer than " << kMaxTxtStringBytes
        << " bytes; in a zone file it is written as several strings:\n"
        << zone_file_line(key) << "\n";
  }
  return out.str();
}

std::string format_dkim_table(const postern::v1::ListDkimReply& reply) {
  if (reply.keys().empty()) return "no DKIM keys\n";
  std::vector<Row> rows;
  for (const auto& k : reply.keys()) {
    rows.push_back({k.domain(), k.selector(), std::string(key_type_name(k.type())),
                    std::to_string(k.bits()), k.fingerprint()});
  }
  return table({"DOMAIN", "SELECTOR", "TYPE", "SIZE", "FINGERPRINT (SHA-256 of p=)"}, rows);
}

std::string format_nek_table(const postern::v1::ListNeksReply& reply) {
  if (reply.neks().empty()) return "no NEKs\n";
  std::vector<Row> rows;
  for (const auto& n : reply.neks()) rows.push_back({n.name(), n.fingerprint()});
  return table({"NEK", "FINGERPRINT"}, rows);
}

std::string format_secret_table(const postern::v1::ListSecretsReply& reply) {
  if (reply.secrets().empty()) return "no secrets\n";
  std::vector<Row> rows;
  for (const auto& s : reply.secrets()) {
    rows.push_back({s.name(), s.username().empty() ? "-" : s.username(),
                    format_utc(s.updated_unix())});
  }
  return table({"NAME", "USERNAME", "UPDATED"}, rows);
}

std::string format_key_line(const postern::v1::DkimKeyInfo& key) {
  return key.domain() + " " + key.selector() + " " + std::string(key_type_name(key.type())) +
         " " + std::to_string(key.bits()) + "  fingerprint " + key.fingerprint();
}

std::string format_bundle_import(const postern::v1::ImportBundleReply& reply) {
  std::ostringstream out;
  for (const auto& k : reply.imported()) out << "imported   " << format_key_line(k) << "\n";
  for (const auto& k : reply.unchanged()) out << "unchanged  " << format_key_line(k) << "\n";
  out << reply.imported_size() << " imported, " << reply.unchanged_size()
      << " already present\n";
  return out.str();
}

std::string format_credstore(const postern::v1::CredstoreInfo& info) {
  std::ostringstream out;
  out << "credential store sealed under NEK " << info.nek() << "\n"
      << "NEK fingerprint: " << info.nek_fingerprint() << "\n"
      << "DKIM keys: " << info.dkim_keys() << "\n"
      << "secrets:   " << info.secrets() << "\n";
  return out.str();
}

std::string format_utc(int64_t unix_seconds) {
  if (unix_seconds == 0) return "-";
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

}  // namespace postern::services
