#pragma once

#include <desk/model/value.hpp>
#include <desk/storage/fast_yaml.hpp>
#include <desk/util/error.hpp>

#include <string>
#include <string_view>
#include <utility>

// The one place that knows YAML syntax: reading any file into a Value, and writing
// Values in desk's canonical block style, which yaml-cpp and PyYAML read back to the same
// strings.
namespace desk::storage {

// Deepest nesting of mappings and sequences parse_yaml reads (desk files need 4 or 5).
inline constexpr int k_max_yaml_depth = 64;

// Parse YAML text. `path` is only used in messages. Throws ParseError
// (path:line:column) for syntax errors, duplicate keys, multiple documents, git conflict
// markers and nesting deeper than k_max_yaml_depth.
Value parse_yaml(std::string_view text, const std::string& path);

// A desk document (a ticket, an article) built by `build` from the Value of `text`: read by
// parse_yaml_fast when it can (several times faster), and by parse_yaml whenever that gives
// up or `build` refuses what it read (throws Error), so every problem is worded and placed
// by the reference reader exactly as before.
template <class Build>
auto read_document(std::string_view text, const std::string& path, Build&& build)
{
  if (auto fast = parse_yaml_fast(text)) {
    try {
      return build(std::move(*fast));
    } catch (const Error&) {
      // read again below: the reference reader's error is the one to show
    }
  }
  return build(parse_yaml(text, path));
}

// Emit a mapping at top level: `key: value` lines, block sequences and mappings, literal
// blocks for multi-line text. Deterministic: equal Values give equal bytes.
std::string emit_yaml(const Value& mapping);

// How one scalar would be written on a `key: ` line at `indent` (used by emit_yaml and by
// tests); may span several lines for literal blocks.
std::string emit_scalar(const Value& scalar, int indent);

// True when `s` can be written as a plain scalar and every YAML 1.1/1.2 reader reads it
// back as the same string.
bool is_safe_plain(std::string_view s);

} // namespace desk::storage
