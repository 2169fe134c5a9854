// load_config / parse_config: YAML text -> validated Config (see config.h for the contract).
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/config/config.h"
#include "common/config/sections.h"
#include "common/config/validate.h"
#include "common/config/yaml_reader.h"

namespace postern::config {

Config parse_config(const std::string& yaml_text, const std::string& file_name_for_errors) {
  const std::string& file = file_name_for_errors;
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    // yaml-cpp marks are 0-based; an unknown position is -1 (-> 0, "unknown").
    throw ConfigError(file, "", "YAML syntax error: " + e.msg, e.mark.line + 1,
                      e.mark.column + 1);
  }

  yaml::Document doc(file);
  const yaml::Value top(root, "", doc);
  if (!root.IsNull() && !root.IsMap()) {
    throw ConfigError(file, "(top level)", "expected a map of sections (node, internet, ...)");
  }
  auto m = top.map();
  auto node = m.get("node");
  auto internet = m.get("internet");
  auto dns = m.get("dns");
  auto edge = m.get("edge");
  auto directory = m.get("directory");
  auto router = m.get("router");
  auto cluster = m.get("cluster");
  auto admin = m.get("admin");
  auto keystore = m.get("keystore");
  m.finish();

  Config config;
  config.source_file = file;
  if (node) config.node = detail::read_node(*node);
  if (internet) config.internet = detail::read_internet(*internet);
  if (dns) config.dns = detail::read_dns(*dns);
  if (edge) config.edge = detail::read_edge(*edge);
  if (directory) config.directory = detail::read_directory(*directory);
  if (router) config.router = detail::read_router(*router);
  if (keystore) config.keystore = detail::read_keystore(*keystore);
  if (cluster) config.cluster = detail::read_cluster(*cluster);
  if (admin) config.admin = detail::read_admin(*admin);
  detail::apply_derived_defaults(config);
  detail::validate(config, doc);
  return config;
}

Config load_config(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(path, "", "cannot read: is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, "", std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path, "", std::string("cannot read: ") + std::strerror(errno));
  return parse_config(text.str(), path);
}

}  // namespace postern::config
