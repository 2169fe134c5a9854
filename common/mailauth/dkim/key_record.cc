#include "common/mailauth/dkim/key_record.h"

#include "common/encoding/base64.h"
#include "common/mailauth/dkim/tag_list.h"

namespace postern::mailauth::dkim {
namespace {

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

KeyRecordParse failed(std::string reason) { return KeyRecordParse{{}, std::move(reason)}; }

}  // namespace

bool KeyRecord::allows_hash(std::string_view hash) const {
  if (hashes.empty()) return true;
  for (const std::string& h : hashes) {
    if (h == hash) return true;
  }
  return false;
}

KeyRecordParse parse_key_record(std::string_view text) {
  const TagList tags = parse_tag_list(text);
  if (!tags.ok()) return failed("key record: " + tags.error);
  KeyRecordParse out;
  KeyRecord& key = out.record;

  if (const Tag* v = tags.find("v")) {
    if (v != &tags.tags.front()) return failed("key record: v= is not the first tag");
    if (v->value != "DKIM1") return failed("key record: v= is not DKIM1");
  }
  if (const Tag* k = tags.find("k")) {
    const std::string type = lowered(k->value);
    if (type == "rsa") {
      key.type = KeyType::rsa;
    } else if (type == "ed25519") {
      key.type = KeyType::ed25519;
    } else {
      return failed("key record: unknown key type k=" + type);
    }
  }
  if (const Tag* h = tags.find("h")) {
    for (std::string_view hash : split_list(h->value, ':')) {
      if (hash.empty()) return failed("key record: empty entry in h=");
      key.hashes.push_back(lowered(hash));
    }
  }
  if (const Tag* s = tags.find("s")) {
    key.email_service = false;
    for (std::string_view service : split_list(s->value, ':')) {
      if (service == "*" || lowered(service) == "email") key.email_service = true;
    }
  }
  if (const Tag* t = tags.find("t")) {
    for (std::string_view flag : split_list(t->value, ':')) {
      if (flag == "y") key.testing = true;
      if (flag == "s") key.strict = true;
    }
  }
  const Tag* p = tags.find("p");
  if (p == nullptr) return failed("key record: missing p=");
  const std::string p_text = strip_fws(p->value);
  if (!p_text.empty()) {
    auto decoded = encoding::base64_decode(p_text);
    if (!decoded) return failed("key record: p= is not valid base64");
    key.public_key = std::move(*decoded);
  }
  return out;
}

}  // namespace postern::mailauth::dkim
