#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace desk::cli {

// The folder of desk's shared files (config.yaml, import/): share/desk/ of the prefix the
// binary is installed in (desk in bin/, a companion in libexec/desk/), else the source tree's share/ (a binary in the build tree);
// nullopt when neither exists.
std::optional<std::filesystem::path> share_dir();

// `--map jira` names a shipped mapping: share_dir()/import/jira.yaml, when `value` is a
// bare name that is no file in the working directory; else `value` itself.
std::string mapping_path(const std::string& value);

} // namespace desk::cli
