// Internal to postern_config: checks that span sections, and defaults that depend on others.
//
// Runs after every section was read (so each value is already well-typed and in range).
// Errors name the key path and, through the Document, the line it was written on.
#pragma once

#include "common/config/config.h"
#include "common/config/yaml_reader.h"

namespace postern::config::detail {

// Fills defaults derived from other keys: cluster.routers = [router.listen],
// admin.token_file = <node.data_dir>/admin.token.
void apply_derived_defaults(Config& config);

// Throws ConfigError for the first inconsistency found.
void validate(const Config& config, const yaml::Document& doc);

}  // namespace postern::config::detail
