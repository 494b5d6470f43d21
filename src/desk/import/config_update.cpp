#include <desk/import/config_update.hpp>

#include <desk/storage/config_file.hpp>
#include <desk/storage/yaml_io.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace desk::import {

namespace {

std::vector<std::string> missing_of(const ConfigAddition& a)
{
  std::vector<std::string> out;
  for (const auto& v : a.values) {
    if (std::find(a.current.begin(), a.current.end(), v) == a.current.end() &&
        std::find(out.begin(), out.end(), v) == out.end()) {
      out.push_back(v);
    }
  }
  return out;
}

std::string quoted(std::string_view s)
{
  std::string out = "'";
  for (const char c : s) {
    out += c;
    if (c == '\'') {
      out += '\'';
    }
  }
  return out + "'";
}

std::string block_item(std::string_view s)
{
  return storage::is_safe_plain(s) ? std::string(s) : quoted(s);
}

std::string flow_item(std::string_view s)
{
  const bool flow_safe = s.find_first_of(",[]{}") == std::string_view::npos;
  return storage::is_safe_plain(s) && flow_safe ? std::string(s) : quoted(s);
}

std::vector<std::string> split_lines(const std::string& text)
{
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines)
{
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    if (i + 1 < lines.size()) {
      out += '\n';
    }
  }
  return out;
}

// End (index of ']') of the flow list starting at `open` on `line`, honouring quotes; npos
// when it does not close on this line.
std::size_t flow_end(const std::string& line, std::size_t open)
{
  char quote = 0;
  for (std::size_t i = open + 1; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ']') {
      return i;
    } else if (c == '[' || c == '{') {
      return std::string::npos;
    }
  }
  return std::string::npos;
}

} // namespace

std::size_t missing_count(const std::vector<ConfigAddition>& additions)
{
  std::size_t n = 0;
  for (const auto& a : additions) {
    n += missing_of(a).size();
  }
  return n;
}

std::string add_to_config_lists(const std::string& text, const std::vector<ConfigAddition>& additions,
                                const std::string& path)
{
  std::string out = text;
  for (const auto& a : additions) {
    const std::vector<std::string> missing = missing_of(a);
    if (missing.empty()) {
      continue;
    }
    auto by_hand = [&](const std::string& why) {
      std::vector<std::string> items;
      for (const auto& m : missing) {
        items.push_back(flow_item(m));
      }
      return UsageError(fmt::format("cannot add {} value(s) to '{}' in {}: {}", missing.size(), a.key, path, why),
                        fmt::format("add them by hand, then import again: {}", fmt::join(items, ", ")));
    };
    const Value doc = storage::parse_yaml(out, path);
    const Value* list = doc.find(a.key);
    std::vector<std::string> lines = split_lines(out);
    if (!list || list->is_null()) {
      std::vector<std::string> items;
      for (const auto& v : a.current) {
        items.push_back(flow_item(v));
      }
      for (const auto& v : missing) {
        items.push_back(flow_item(v));
      }
      if (list) {
        throw by_hand("the key has no value");
      }
      if (!out.empty() && !out.ends_with('\n')) {
        out += '\n';
      }
      out += fmt::format("\n# Added by `desk import`.\n{}: [{}]\n", a.key, fmt::join(items, ", "));
      continue;
    }
    if (!list->is_sequence() || list->line <= 0 || static_cast<std::size_t>(list->line) > lines.size()) {
      throw by_hand("it is not a list");
    }
    std::string& first_line = lines[static_cast<std::size_t>(list->line) - 1];
    const std::size_t open = static_cast<std::size_t>(list->column) - 1;
    if (open < first_line.size() && first_line[open] == '[') {
      const std::size_t close = flow_end(first_line, open);
      if (close == std::string::npos) {
        throw by_hand("its [...] list spans several lines");
      }
      std::vector<std::string> items;
      for (const auto& item : list->items) {
        items.push_back(flow_item(item.str()));
      }
      for (const auto& v : missing) {
        items.push_back(flow_item(v));
      }
      first_line = first_line.substr(0, open) + "[" + fmt::format("{}", fmt::join(items, ", ")) + "]" +
                   first_line.substr(close + 1);
    } else {
      if (list->items.empty()) {
        throw by_hand("it is an empty block list");
      }
      const Value& last = list->items.back();
      if (last.line <= 0 || last.column <= 1 || static_cast<std::size_t>(last.line) > lines.size()) {
        throw by_hand("its items could not be located");
      }
      const std::string& last_line = lines[static_cast<std::size_t>(last.line) - 1];
      const std::string prefix = last_line.substr(0, static_cast<std::size_t>(last.column) - 1);
      if (prefix.find('-') == std::string::npos || prefix.find_first_not_of(" -") != std::string::npos) {
        throw by_hand("its items are not one per line");
      }
      std::vector<std::string> added;
      for (const auto& v : missing) {
        added.push_back(prefix + block_item(v));
      }
      lines.insert(lines.begin() + last.line, added.begin(), added.end());
    }
    out = join_lines(lines);
  }
  try {
    (void)storage::parse_config(out, path);
  } catch (const Error& e) {
    throw UsageError(fmt::format("adding the imported values to {} would make it invalid: {}", path, e.what()),
                     "add the categories and pending reasons the import reports by hand, then import again");
  }
  return out;
}

} // namespace desk::import
