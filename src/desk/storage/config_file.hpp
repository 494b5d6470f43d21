#pragma once

#include <desk/config/config.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace desk::storage {

// Read and validate a config file; throws ParseError with path:line:column naming the
// bad entry and what is allowed.
Config load_config(const std::filesystem::path& path);

// Parse config text (`path` for messages only).
Config parse_config(std::string_view text, const std::string& path);

// The commented default config that `desk init` writes, for the given time zone; git
// autocommit on when the repository is in a git work tree.
std::string default_config_text(std::string_view timezone, bool autocommit = false);

// A config key desk does not know (it would be ignored), with the known key nearest to it.
struct UnknownConfigKey {
  std::string key;     // dotted: "sla.warnings"
  std::string nearest; // "sla.warning", or empty when none is close
  int line = 0;
  int column = 0;
};

// The keys of the config's top level and of its fixed sections (sla, git, hooks) that desk
// does not read; for `desk doctor`. Throws ParseError when `text` is not YAML.
std::vector<UnknownConfigKey> unknown_config_keys(std::string_view text, const std::string& path);

} // namespace desk::storage
