#include "common/config/yaml_reader.h"

#include <charconv>

#include "common/config/host_port.h"
#include "common/config/names.h"
#include "common/config/quantities.h"

namespace postern::config::yaml {
namespace {

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string kind_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    default: return "nothing";
  }
}

void remember_mark(Document& doc, const std::string& path, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0) doc.remember(path, mark.line + 1, mark.column + 1);
}

}  // namespace

// ---- Document ----

void Document::remember(const std::string& path, int line, int column) {
  positions_.emplace(path, std::make_pair(line, column));
}

std::pair<int, int> Document::position(const std::string& path) const {
  auto it = positions_.find(path);
  return it == positions_.end() ? std::make_pair(0, 0) : it->second;
}

void Document::fail(const std::string& path, const std::string& reason) const {
  const auto [line, column] = position(path);
  throw ConfigError(file_, path, reason, line, column);
}

// ---- Value ----

Value::Value(YAML::Node node, std::string path, Document& doc)
    : node_(std::move(node)), path_(std::move(path)), doc_(&doc) {
  remember_mark(doc, path_, node_);
}

void Value::fail(const std::string& reason) const { doc_->fail(path_, reason); }

std::string Value::string() const {
  if (!node_.IsScalar()) fail("expected a single value, got " + kind_name(node_));
  return node_.Scalar();
}

std::string Value::non_empty_string() const {
  std::string s = string();
  if (s.empty()) fail("must not be empty");
  return s;
}

bool Value::boolean() const {
  const std::string s = string();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  fail("expected true or false (got " + quoted(s) + ")");
}

uint64_t Value::integer(uint64_t min, uint64_t max) const {
  const std::string s = string();
  uint64_t v = 0;
  const bool digits_only =
      !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (!digits_only || ec != std::errc()) {
    fail("expected a whole number (got " + quoted(s) + ")");
  }
  if (v < min || v > max) {
    fail("must be between " + std::to_string(min) + " and " + std::to_string(max) + " (got " +
         s + ")");
  }
  return v;
}

std::chrono::milliseconds Value::duration(std::chrono::milliseconds min) const {
  auto parsed = parse_duration(string());
  if (!parsed) fail(parsed.error);
  if (*parsed.value < min) {
    fail(min.count() == 1 ? "must be longer than 0" : "must be at least " +
                                                          std::to_string(min.count()) + "ms");
  }
  return *parsed.value;
}

std::chrono::seconds Value::seconds(std::chrono::seconds min) const {
  const std::string s = string();
  auto parsed = parse_duration(s);
  if (!parsed) fail(parsed.error);
  if (parsed.value->count() % 1000 != 0) fail("must be whole seconds (got " + quoted(s) + ")");
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(*parsed.value);
  if (secs < min) {
    fail(min.count() == 1 ? "must be at least 1s (got " + quoted(s) + ")"
                          : "must be at least " + std::to_string(min.count()) + "s (got " +
                                quoted(s) + ")");
  }
  return secs;
}

uint64_t Value::byte_size(uint64_t min, uint64_t max) const {
  const std::string s = string();
  auto parsed = parse_byte_size(s);
  if (!parsed) fail(parsed.error);
  if (*parsed.value < min || *parsed.value > max) {
    fail("must be between " + std::to_string(min) + " and " + std::to_string(max) +
         " bytes (got " + quoted(s) + ")");
  }
  return *parsed.value;
}

HostPort Value::host_port(std::optional<uint16_t> default_port) const {
  auto parsed = parse_host_port(string(), default_port);
  if (!parsed) fail(parsed.error);
  return *parsed.value;
}

std::string Value::domain(bool allow_wildcard) const {
  auto parsed = normalize_domain(string(), allow_wildcard);
  if (!parsed) fail(parsed.error);
  return *parsed.value;
}

std::string Value::address() const {
  auto parsed = normalize_address(string());
  if (!parsed) fail(parsed.error);
  return *parsed.value;
}

std::vector<Value> Value::list() const {
  std::vector<Value> out;
  if (node_.IsNull()) return out;
  if (!node_.IsSequence()) fail("expected a list, got " + kind_name(node_));
  out.reserve(node_.size());
  size_t i = 0;
  for (const YAML::Node& item : node_) {
    out.emplace_back(item, path_ + "[" + std::to_string(i++) + "]", *doc_);
  }
  return out;
}

Map Value::map() const {
  if (!node_.IsNull() && !node_.IsMap()) fail("expected a map, got " + kind_name(node_));
  return Map(node_, path_, *doc_);
}

// ---- Map ----

Map::Map(YAML::Node node, std::string path, Document& doc)
    : node_(std::move(node)), path_(std::move(path)), doc_(&doc) {
  if (node_.IsNull()) return;
  std::vector<std::string> seen;
  for (const auto& entry : node_) {
    if (!entry.first.IsScalar()) {
      const YAML::Mark mark = entry.first.Mark();
      throw ConfigError(doc_->file(), path_.empty() ? "(top level)" : path_,
                        "keys must be plain words", mark.line + 1, mark.column + 1);
    }
    const std::string& key = entry.first.Scalar();
    const std::string key_path = child_path(key);
    remember_mark(*doc_, key_path, entry.first);
    for (const auto& s : seen) {
      if (s == key) doc_->fail(key_path, "duplicate key");
    }
    seen.push_back(key);
  }
}

std::string Map::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool Map::has(std::string_view key) const {
  if (node_.IsNull()) return false;
  for (const auto& entry : node_) {
    if (entry.first.Scalar() == key) return true;
  }
  return false;
}

std::optional<Value> Map::get(std::string_view key) {
  known_.emplace_back(key);
  if (node_.IsNull()) return std::nullopt;
  for (const auto& entry : node_) {
    if (entry.first.Scalar() == key) {
      // A null value keeps the key's position (yaml-cpp gives null nodes no mark).
      Value v(entry.second, child_path(key), *doc_);
      return v;
    }
  }
  return std::nullopt;
}

Value Map::require(std::string_view key) {
  auto v = get(key);
  if (!v) {
    const auto [line, column] = doc_->position(path_);
    throw ConfigError(doc_->file(), child_path(key), "required", line, column);
  }
  return *v;
}

void Map::refuse(std::string_view key, const std::string& reason) const {
  if (has(key)) doc_->fail(child_path(key), reason);
}

std::vector<std::pair<std::string, Value>> Map::entries() {
  all_known_ = true;
  std::vector<std::pair<std::string, Value>> out;
  if (node_.IsNull()) return out;
  for (const auto& entry : node_) {
    const std::string key = entry.first.Scalar();
    out.emplace_back(key, Value(entry.second, child_path(key), *doc_));
  }
  return out;
}

void Map::finish() const {
  if (all_known_ || node_.IsNull()) return;
  for (const auto& entry : node_) {
    const std::string& key = entry.first.Scalar();
    bool known = false;
    for (const auto& k : known_) known = known || k == key;
    if (known) continue;
    std::string list;
    for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
    doc_->fail(child_path(key), "unknown key (known: " + list + ")");
  }
}

}  // namespace postern::config::yaml
