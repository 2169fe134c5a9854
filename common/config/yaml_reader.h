// A strict reader over a yaml-cpp document that knows where it is.
//
// Every Value carries its key path ("edge.listeners[1].tls") and YAML position, so any error
// becomes a ConfigError "<file>: <path>: <reason> (line L, column C)". A Map remembers which
// keys the loader asked for; finish() then refuses any other key, naming the known ones.
// That is how unknown keys (typos) are found generically, without a schema listed twice.
//
// Contract: the reader never mutates the document (only const yaml-cpp access, which cannot
// insert keys); every failure throws ConfigError; nothing here converts with yaml-cpp's
// as<T>() (whose errors carry no key path).
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config/config.h"

namespace postern::config::yaml {

// Positions (1-based line, column) of every key path the reader visited, so that checks made
// after reading (validate.cc) can still point at a line.
class Document {
 public:
  explicit Document(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }
  void remember(const std::string& path, int line, int column);
  std::pair<int, int> position(const std::string& path) const;  // {0, 0} when unknown

  // Throws ConfigError for `path`, with the remembered position if any.
  [[noreturn]] void fail(const std::string& path, const std::string& reason) const;

 private:
  std::string file_;
  std::map<std::string, std::pair<int, int>> positions_;
};

class Map;

class Value {
 public:
  Value(YAML::Node node, std::string path, Document& doc);

  const std::string& path() const { return path_; }
  bool is_null() const { return node_.IsNull(); }
  [[noreturn]] void fail(const std::string& reason) const;

  std::string string() const;                // any scalar, as written
  std::string non_empty_string() const;      // a scalar that is not ""
  bool boolean() const;                      // true | false
  uint64_t integer(uint64_t min, uint64_t max) const;
  std::chrono::milliseconds duration(std::chrono::milliseconds min) const;
  std::chrono::seconds seconds(std::chrono::seconds min) const;  // whole seconds only
  uint64_t byte_size(uint64_t min, uint64_t max) const;
  HostPort host_port(std::optional<uint16_t> default_port = std::nullopt) const;
  std::string domain(bool allow_wildcard = false) const;
  std::string address() const;

  // One of a fixed set of words: "must be one of none, starttls, implicit (got "startls")".
  template <class E>
  E one_of(std::initializer_list<std::pair<std::string_view, E>> choices) const {
    const std::string word = string();
    std::string names;
    for (const auto& [name, value] : choices) {
      if (word == name) return value;
      names += (names.empty() ? "" : ", ") + std::string(name);
    }
    fail("must be one of " + names + " (got \"" + word + "\")");
  }

  std::vector<Value> list() const;  // a sequence; null counts as empty
  Map map() const;                  // a mapping; null counts as empty

 private:
  YAML::Node node_;
  std::string path_;
  Document* doc_;
};

class Map {
 public:
  Map(YAML::Node node, std::string path, Document& doc);

  // The value at `key`, registering `key` as known. Absent keys give nullopt.
  std::optional<Value> get(std::string_view key);
  // Like get(), but absence is an error "required".
  Value require(std::string_view key);
  // A key the design names but that is not built: present means an error with `reason`.
  // Refused keys are not listed among the known ones.
  void refuse(std::string_view key, const std::string& reason) const;
  // All entries of a free-form map (destination names, node names); marks every key known.
  std::vector<std::pair<std::string, Value>> entries();
  // Refuses any key that was neither asked for nor refused.
  void finish() const;

  const std::string& path() const { return path_; }
  bool has(std::string_view key) const;

 private:
  std::string child_path(std::string_view key) const;

  YAML::Node node_;
  std::string path_;
  Document* doc_;
  std::vector<std::string> known_;
  bool all_known_ = false;
};

}  // namespace postern::config::yaml
