#pragma once

#include <desk/config/config.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace desk::storage {

// Read and validate a config file; throws ParseError with path:line:column naming the
// bad entry and what is allowed.
Config load_config(const std::filesystem::path& path);

// Parse config text (`path` for messages only).
Config parse_config(std::string_view text, const std::string& path);

// The commented default config that `desk init` writes, for the given time zone; git
// autocommit on when the repository is in a git work tree.
std::string default_config_text(std::string_view timezone, bool autocommit = false);

} // namespace desk::storage
