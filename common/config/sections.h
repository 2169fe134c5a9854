// Internal to postern_config: one reader per top-level section of postern.yaml.
//
// Each reader turns a section's YAML into its struct, checking types, ranges and unknown keys
// of that section only. Checks that span sections (a route naming a destination, a listener
// needing edge.tls) are in validate.h, run once everything is read.
#pragma once

#include "common/config/config.h"
#include "common/config/yaml_reader.h"

namespace postern::config::detail {

Node read_node(const yaml::Value& v);
Internet read_internet(const yaml::Value& v);
Dns read_dns(const yaml::Value& v);
Edge read_edge(const yaml::Value& v);
Directory read_directory(const yaml::Value& v);
Router read_router(const yaml::Value& v);
Keystore read_keystore(const yaml::Value& v);
Cluster read_cluster(const yaml::Value& v);
Admin read_admin(const yaml::Value& v);

}  // namespace postern::config::detail
