#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

// Teaching the config the values an import brings (ServiceNow's categories, its extra
// pending reasons), by a small edit of .desk/config.yaml that keeps its comments.
namespace desk::import {

// One list of the config and the values it must hold.
struct ConfigAddition {
  std::string key;                  // top-level list key: categories, pending_reasons, ...
  std::vector<std::string> current; // the list as the config has it now (its default when the key is absent)
  std::vector<std::string> values;  // values the import needs (those already listed are skipped)
};

// `text` with the missing values appended to each list: after the last item of a block
// list (same indentation), inside a one-line flow list, or as a new `key: [...]` line. The
// result is checked by reading it as a config. Throws UsageError (naming what to add by
// hand) when a list has a shape this edit does not handle.
std::string add_to_config_lists(const std::string& text, const std::vector<ConfigAddition>& additions,
                                const std::string& path);

// How many values `add_to_config_lists` adds.
std::size_t missing_count(const std::vector<ConfigAddition>& additions);

} // namespace desk::import
