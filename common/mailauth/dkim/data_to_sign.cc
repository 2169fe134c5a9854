#include "common/mailauth/dkim/data_to_sign.h"

#include <algorithm>

#include "common/mailauth/dkim/canonicalize.h"
#include "common/mailauth/dkim/tag_list.h"

namespace postern::mailauth::dkim {

std::vector<const mime::Field*> select_signed_fields(const std::vector<mime::Field>& fields,
                                                      const std::vector<std::string>& names) {
  std::vector<const mime::Field*> out;
  std::vector<bool> used(fields.size(), false);
  for (const std::string& name : names) {
    for (std::size_t i = fields.size(); i-- > 0;) {
      if (!used[i] && mime::iequals(fields[i].name, name)) {
        used[i] = true;
        out.push_back(&fields[i]);
        break;
      }
    }
  }
  return out;
}

std::string header_hash_input(Canon canon, const std::vector<mime::Field>& fields,
                              const std::vector<std::string>& names,
                              std::string_view signature_field) {
  std::string out;
  for (const mime::Field* f : select_signed_fields(fields, names)) {
    out += canonicalize_header(canon, f->raw);
  }
  std::string sig = canonicalize_header(canon, signature_field);
  sig.resize(sig.size() - 2);  // canonicalize_header always ends in CRLF; 3.7 wants none
  out += sig;
  return out;
}

std::optional<std::string> without_b_value(std::string_view raw_field) {
  const std::size_t colon = raw_field.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view value = raw_field.substr(colon + 1);
  if (!value.empty() && value.back() == '\n') value.remove_suffix(1);
  if (!value.empty() && value.back() == '\r') value.remove_suffix(1);
  const TagList tags = parse_tag_list(value);
  const Tag* b = tags.ok() ? tags.find("b") : nullptr;
  if (b == nullptr) return std::nullopt;
  // Views point into raw_field, so offsets are pointer differences.
  const std::size_t name_end =
      static_cast<std::size_t>(b->name.data() - raw_field.data()) + b->name.size();
  const std::size_t eq = raw_field.find('=', name_end);
  const std::size_t value_end =
      static_cast<std::size_t>(b->value.data() - raw_field.data()) + b->value.size();
  std::string out(raw_field.substr(0, eq + 1));
  out += raw_field.substr(std::max(value_end, eq + 1));
  return out;
}

}  // namespace postern::mailauth::dkim
