#pragma once

#include <desk/model/value.hpp>

#include <optional>
#include <string_view>

// A second YAML reader, on libyaml, for reading tickets and articles (read_document in
// yaml_io.hpp): several times faster than yaml-cpp. It builds the same Value as
// parse_yaml for the YAML that desk writes and people usually write — one document of
// mappings, sequences and scalars in any style — and gives up (nullopt) on anything else:
// tags, anchors, aliases, complex or null keys, duplicate keys, several documents, folded
// scalars (`>`, and plain or quoted ones over several lines), every syntax error, NUL bytes and malformed UTF-8. The caller then uses parse_yaml (yaml-cpp),
// which stays the reference reader and the one that words the error messages.
namespace desk::storage {

std::optional<Value> parse_yaml_fast(std::string_view text);

} // namespace desk::storage
