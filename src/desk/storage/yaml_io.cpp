#include <desk/storage/yaml_io.hpp>

#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <set>
#include <sstream>
#include <vector>

namespace desk::storage {

namespace {

[[noreturn]] void fail_too_deep(const std::string& path, int line, int column)
{
  throw ParseError(path, line, column, fmt::format("nested more than {} levels deep", k_max_yaml_depth),
                   "desk files are shallow mappings; restore the file from git or flatten it");
}

Value convert(const YAML::Node& node, const std::string& path, int depth = 0)
{
  Value v;
  const YAML::Mark mark = node.Mark();
  v.line = mark.line >= 0 ? mark.line + 1 : 0;
  v.column = mark.column >= 0 ? mark.column + 1 : 0;
  if (depth > k_max_yaml_depth) {
    fail_too_deep(path, v.line, v.column);
  }
  switch (node.Type()) {
  case YAML::NodeType::Undefined:
  case YAML::NodeType::Null:
    v.kind = Value::Kind::null;
    break;
  case YAML::NodeType::Scalar:
    v.kind = Value::Kind::scalar;
    v.scalar = node.Scalar();
    v.plain = node.Tag() == "?";
    break;
  case YAML::NodeType::Sequence:
    v.kind = Value::Kind::sequence;
    for (const auto& item : node) {
      v.items.push_back(convert(item, path, depth + 1));
    }
    break;
  case YAML::NodeType::Map: {
    v.kind = Value::Kind::mapping;
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) {
        const YAML::Mark km = kv.first.Mark();
        throw ParseError(path, km.line + 1, km.column + 1, "a mapping key must be a plain text key");
      }
      std::string key = kv.first.Scalar();
      if (!seen.insert(key).second) {
        const YAML::Mark km = kv.first.Mark();
        throw ParseError(path, km.line + 1, km.column + 1, fmt::format("duplicate key '{}'", key),
                         "remove one of the two entries");
      }
      v.entries.emplace_back(std::move(key), convert(kv.second, path, depth + 1));
    }
    break;
  }
  }
  return v;
}

bool is_yaml_line_break(char32_t cp)
{
  return cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

// What PyYAML accepts unescaped (its NON_PRINTABLE complement), less BOM and YAML 1.1
// line breaks, which readers treat specially.
bool is_printable(char32_t cp)
{
  if (cp == 0xFEFF || is_yaml_line_break(cp)) {
    return false;
  }
  return (cp >= 0x20 && cp <= 0x7E) || cp == 0xA0 || (cp > 0xA0 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

bool is_reserved_word(std::string_view s)
{
  static const std::array<std::string_view, 14> k_words = {
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "<<", "=", ".inf", ".nan"};
  const std::string lower = text::ascii_lower(s);
  return std::find(k_words.begin(), k_words.end(), lower) != k_words.end();
}

// Plain scalar syntax that both parsers read back unchanged (value typing aside).
bool is_plain_syntax(std::string_view s)
{
  if (s.empty() || s.front() == ' ' || s.back() == ' ') {
    return false;
  }
  static constexpr std::string_view k_leading = "-?:,[]{}#&*!|>'\"%@`";
  if (k_leading.find(s.front()) != std::string_view::npos) {
    return false;
  }
  if (s.back() == ':' || s.find(": ") != std::string_view::npos ||
      s.find(" #") != std::string_view::npos) {
    return false;
  }
  if (s.starts_with("---") || s.starts_with("...")) {
    return false;
  }
  for (char32_t cp : text::decode(s)) {
    if (!is_printable(cp)) {
      return false; // also excludes tab and newline
    }
  }
  return text::is_valid_utf8(s);
}

std::string double_quoted(std::string_view s)
{
  std::string out = "\"";
  for (char32_t cp : text::decode(s)) {
    switch (cp) {
    case '"':
      out += "\\\"";
      continue;
    case '\\':
      out += "\\\\";
      continue;
    case '\n':
      out += "\\n";
      continue;
    case '\t':
      out += "\\t";
      continue;
    case '\r':
      out += "\\r";
      continue;
    case 0:
      out += "\\0";
      continue;
    case 0x1B:
      out += "\\e";
      continue;
    // \N, \L and \P would be shorter, but yaml-cpp decodes \N to a raw byte.
    default:
      break;
    }
    if (is_printable(cp)) {
      text::append_utf8(out, cp);
    } else if (cp <= 0xFF) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned>(cp));
    } else if (cp <= 0xFFFF) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(cp));
    } else {
      out += fmt::format("\\U{:08X}", static_cast<unsigned>(cp));
    }
  }
  out += '"';
  return out;
}

std::string single_quoted(std::string_view s)
{
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') {
      out += '\'';
    }
  }
  out += '\'';
  return out;
}

// Multi-line text that a literal block carries exactly.
bool literal_block_fits(std::string_view s)
{
  if (s.find('\n') == std::string_view::npos) {
    return false;
  }
  if (s.find_first_not_of("\n ") == std::string_view::npos) {
    return false; // only blanks: a block would lose them
  }
  for (char32_t cp : text::decode(s)) {
    if (cp != '\n' && cp != '\t' && !is_printable(cp)) {
      return false;
    }
  }
  // A line holding only spaces right before the end would be read as trailing blank
  // lines of a different length by some readers; keep such text double-quoted.
  const auto last_content = s.find_last_not_of('\n');
  const auto last_line_start = s.rfind('\n', last_content);
  const std::string_view last_line =
    s.substr(last_line_start == std::string_view::npos ? 0 : last_line_start + 1,
             last_content + 1 - (last_line_start == std::string_view::npos ? 0 : last_line_start + 1));
  if (last_line.find_first_not_of(' ') == std::string_view::npos) {
    return false;
  }
  return text::is_valid_utf8(s);
}

std::string literal_block(std::string_view s, int indent)
{
  std::string header = "|";
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  if (s.front() == ' ' || s.front() == '\n') {
    header += "2";
  }
  std::size_t trailing = 0;
  while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') {
    ++trailing;
  }
  if (trailing == 0) {
    header += "-";
  } else if (trailing > 1) {
    header += "+";
  }
  std::string out = header;
  std::string_view body = s.substr(0, s.size() - trailing);
  std::size_t pos = 0;
  while (true) {
    const auto nl = body.find('\n', pos);
    const std::string_view line = body.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    out += '\n';
    if (!line.empty()) {
      out += pad;
      out += line;
    }
    if (nl == std::string_view::npos) {
      break;
    }
    pos = nl + 1;
  }
  for (std::size_t i = 1; i < trailing; ++i) {
    out += '\n';
  }
  return out;
}

void emit_value(std::string& out, const Value& v, int indent);

// Longest key written as `key:`: YAML limits implicit keys to 1024 characters (yaml-cpp
// refuses longer ones), so a longer key (kept from a hand edit) is written explicitly,
// `? key` then `:` (found by tests/fuzz/ticket_yaml.cpp).
constexpr std::size_t k_max_implicit_key = 1000;

void emit_key_value(std::string& out, const std::string& key, const Value& v, int indent)
{
  out.append(static_cast<std::size_t>(indent), ' ');
  const std::string written = is_safe_plain(key) ? key : double_quoted(key);
  if (written.size() > k_max_implicit_key) { // bytes: never fewer than characters
    out += "? " + written + "\n";
    out.append(static_cast<std::size_t>(indent), ' ');
  } else {
    out += written;
  }
  out += ':';
  emit_value(out, v, indent);
}

// Writes what follows `key:` (or `- `): " scalar\n" or "\n" + nested block.
void emit_value(std::string& out, const Value& v, int indent)
{
  switch (v.kind) {
  case Value::Kind::null:
    out += '\n';
    return;
  case Value::Kind::scalar:
    out += ' ';
    out += emit_scalar(v, indent);
    out += '\n';
    return;
  case Value::Kind::sequence:
    if (v.items.empty()) {
      out += " []\n";
      return;
    }
    out += '\n';
    for (const auto& item : v.items) {
      out.append(static_cast<std::size_t>(indent + 2), ' ');
      out += '-';
      if (item.is_mapping() && !item.entries.empty()) {
        // First entry on the dash line, the rest aligned under it.
        bool first = true;
        for (const auto& [k, child] : item.entries) {
          if (first) {
            out += ' ';
            out += is_safe_plain(k) ? k : double_quoted(k);
            out += ':';
            emit_value(out, child, indent + 4);
            first = false;
          } else {
            emit_key_value(out, k, child, indent + 4);
          }
        }
      } else if (item.is_sequence() && !item.items.empty()) {
        // Nested sequences are rare (hand edits); write them in flow style.
        out += " [";
        for (std::size_t i = 0; i < item.items.size(); ++i) {
          out += i ? ", " : "";
          out += double_quoted(item.items[i].str());
        }
        out += "]\n";
      } else {
        emit_value(out, item, indent + 2);
      }
    }
    return;
  case Value::Kind::mapping:
    if (v.entries.empty()) {
      out += " {}\n";
      return;
    }
    out += '\n';
    for (const auto& [k, child] : v.entries) {
      emit_key_value(out, k, child, indent + 2);
    }
    return;
  }
}

} // namespace

bool is_safe_plain(std::string_view s)
{
  if (!is_plain_syntax(s) || is_reserved_word(s)) {
    return false;
  }
  // Anything starting like a number, date or time is quoted so no reader types it.
  const char c = s.front();
  return !((c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-');
}

std::string emit_scalar(const Value& v, int indent)
{
  const std::string& s = v.scalar;
  if (v.plain && is_plain_syntax(s)) {
    return s;
  }
  if (literal_block_fits(s)) {
    return literal_block(s, indent);
  }
  if (is_safe_plain(s)) {
    return s;
  }
  bool needs_escape = !text::is_valid_utf8(s);
  if (!needs_escape) {
    for (char32_t cp : text::decode(s)) {
      if (!is_printable(cp)) {
        needs_escape = true;
        break;
      }
    }
  }
  return needs_escape ? double_quoted(s) : single_quoted(s);
}

std::string emit_yaml(const Value& mapping)
{
  std::string out;
  for (const auto& [k, v] : mapping.entries) {
    emit_key_value(out, k, v, 0);
  }
  return out;
}

namespace {

// Finds the first alias (`*name`): desk files never use them, and a value shared between
// two keys would not survive a save.
class AliasFinder : public YAML::EventHandler {
public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override
  {
    if (!found) {
      found = true;
      where = mark;
    }
  }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  bool found = false;
  YAML::Mark where;
};

// The first line that is a git conflict marker (`<<<<<<< `, `=======`, `>>>>>>> `), or 0.
int conflict_marker_line(std::string_view text)
{
  int line = 1;
  for (std::size_t pos = 0; pos < text.size(); ++line) {
    const auto nl = text.find('\n', pos);
    const std::string_view l = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (l.starts_with("<<<<<<< ") || l == "<<<<<<<" || l.starts_with(">>>>>>> ") || l == ">>>>>>>" ||
        l == "=======" || l == "=======\r") {
      return line;
    }
    if (nl == std::string_view::npos) {
      break;
    }
    pos = nl + 1;
  }
  return 0;
}
// Where each document of a stream starts and where its first node is (the events
// themselves are ignored).
class DocumentCounter final : public YAML::EventHandler {
public:
  void OnDocumentStart(const YAML::Mark& mark) override
  {
    starts.push_back(mark);
    nodes.push_back(mark);
    m_node_seen = false;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override { node(mark); }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override
  {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override
  {
    node(mark);
  }
  void OnMapEnd() override {}
  std::vector<YAML::Mark> starts; // each document's start
  std::vector<YAML::Mark> nodes;  // each document's first node

private:
  void node(const YAML::Mark& mark)
  {
    if (!m_node_seen && !nodes.empty()) {
      nodes.back() = mark;
      m_node_seen = true;
    }
  }
  bool m_node_seen = false;
};

} // namespace

Value parse_yaml(std::string_view text, const std::string& path)
{
  if (text.find("<<<<<<<") != std::string_view::npos || text.find(">>>>>>>") != std::string_view::npos) {
    if (const int line = conflict_marker_line(text); line > 0) {
      throw ParseError(path, line, 1, "git conflict markers (<<<<<<<, =======, >>>>>>>): a merge left both versions here",
                       "keep one version (or run `git checkout --theirs/--ours` on the file), and register desk's merge "
                       "driver with `desk init --git-hooks` so ticket files merge by themselves");
    }
  }
  if (text.find('*') != std::string_view::npos) {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    AliasFinder finder;
    try {
      // Two documents at most: more is an error reported below (and yaml-cpp may find
      // empty documents without end in broken text).
      for (int n = 0; n < 2 && parser.HandleNextDocument(finder); ++n) {
      }
    } catch (const YAML::Exception& e) {
      // An alias whose anchor comes later (or never) is refused by yaml-cpp as "the
      // referenced anchor is not defined": it is an alias all the same. Other syntax errors
      // are reported below with their position.
      if (!finder.found && e.msg == YAML::ErrorMsg::UNKNOWN_ANCHOR) {
        finder.found = true;
        finder.where = e.mark;
      }
    }
    if (finder.found) {
      throw ParseError(path, finder.where.line + 1, finder.where.column + 1, "YAML aliases (*name) are not allowed",
                       "write the value out in full");
    }
  }
  // yaml-cpp's LoadAll never returns on some broken text (a stray ',' yields empty
  // documents without end; found by tests/fuzz/ticket_yaml.cpp): the documents are counted
  // by a walk of the events that stops at the second, and only the first is loaded.
  YAML::Node doc;
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    DocumentCounter counter;
    for (int n = 0; n < 2 && parser.HandleNextDocument(counter); ++n) {
    }
    if (counter.starts.size() > 1) {
      if (counter.starts[1].pos == counter.starts[0].pos) {
        const YAML::Mark& stuck = counter.starts[1];
        throw ParseError(path, stuck.line + 1, stuck.column + 1, "unexpected character: this is not YAML desk can read",
                         "fix the YAML syntax at that place");
      }
      throw ParseError(path, counter.nodes[1].line + 1, 0, "more than one YAML document in the file",
                       "keep a single document (remove the '---' separator)");
    }
    doc = YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    fail_too_deep(path, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.mark.column >= 0 ? e.mark.column + 1 : 0);
  } catch (const YAML::Exception& e) {
    throw ParseError(path, e.mark.line >= 0 ? e.mark.line + 1 : 0,
                     e.mark.column >= 0 ? e.mark.column + 1 : 0, e.msg,
                     "fix the YAML syntax at that place (a text with ': ' or '#' needs quotes)");
  }
  if (!doc.IsDefined() || doc.IsNull()) {
    return Value{};
  }
  return convert(doc, path);
}

} // namespace desk::storage
