#include <desk/storage/fast_yaml.hpp>
#include <desk/storage/yaml_io.hpp>
#include <desk/util/text.hpp>

#include <yaml.h>

#include <string>

namespace desk::storage {

namespace {

// The plain scalars yaml-cpp reads as null (YAML 1.2 core schema).
bool is_null_word(std::string_view s)
{
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

class FastParser {
public:
  explicit FastParser(std::string_view text)
  {
    m_ready = yaml_parser_initialize(&m_parser) != 0;
    if (m_ready) {
      // An empty view may have no data at all, which libyaml refuses with an assertion.
      static constexpr char k_empty[] = "";
      const char* data = text.empty() ? k_empty : text.data();
      yaml_parser_set_input_string(&m_parser, reinterpret_cast<const unsigned char*>(data), text.size());
      yaml_parser_set_encoding(&m_parser, YAML_UTF8_ENCODING);
    }
  }
  ~FastParser()
  {
    if (m_ready) {
      yaml_parser_delete(&m_parser);
    }
  }
  FastParser(const FastParser&) = delete;
  FastParser& operator=(const FastParser&) = delete;

  std::optional<Value> document()
  {
    if (!m_ready) {
      return std::nullopt;
    }
    Event e(*this);
    if (!e.ok || e.ev.type != YAML_STREAM_START_EVENT) {
      return std::nullopt;
    }
    Event doc(*this);
    if (!doc.ok) {
      return std::nullopt;
    }
    if (doc.ev.type == YAML_STREAM_END_EVENT) {
      return Value{}; // no document at all: null, as yaml-cpp
    }
    if (doc.ev.type != YAML_DOCUMENT_START_EVENT) {
      return std::nullopt;
    }
    Value root;
    {
      Event first(*this);
      if (!first.ok || !node(first.ev, root, 0)) {
        return std::nullopt;
      }
    }
    Event end(*this);
    if (!end.ok || end.ev.type != YAML_DOCUMENT_END_EVENT) {
      return std::nullopt;
    }
    Event stream_end(*this);
    if (!stream_end.ok || stream_end.ev.type != YAML_STREAM_END_EVENT) {
      return std::nullopt; // a second document
    }
    return root;
  }

private:
  // One parser event, freed when it goes out of scope.
  struct Event {
    explicit Event(FastParser& p) { ok = yaml_parser_parse(&p.m_parser, &ev) != 0; }
    ~Event()
    {
      if (ok) {
        yaml_event_delete(&ev);
      }
    }
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;
    yaml_event_t ev{};
    bool ok = false;
  };

  static void place(Value& v, const yaml_event_t& e)
  {
    v.line = static_cast<int>(e.start_mark.line) + 1;
    v.column = static_cast<int>(e.start_mark.column) + 1;
  }

  // Read the node that starts with `e` into `out`; false to give up.
  bool node(const yaml_event_t& e, Value& out, int depth)
  {
    if (depth > k_max_yaml_depth) {
      return false;
    }
    place(out, e);
    switch (e.type) {
    case YAML_SCALAR_EVENT: {
      if (e.data.scalar.anchor != nullptr || e.data.scalar.tag != nullptr) {
        return false;
      }
      // Folding (a `>` scalar, a plain or quoted one over several lines) is where yaml-cpp
      // and libyaml part: yaml-cpp folds empty lines before a closing quote and lines of
      // spaces in a `>` scalar otherwise than libyaml (and the YAML spec) do ('x⏎⏎⏎' is
      // "x\n\n" here and "x\n" there). desk writes none of them (it writes `|`); such
      // text goes to the reference reader.
      if (e.data.scalar.style == YAML_FOLDED_SCALAR_STYLE ||
          (e.data.scalar.style != YAML_LITERAL_SCALAR_STYLE && e.start_mark.line != e.end_mark.line)) {
        return false;
      }
      std::string_view text(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
      const bool plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
      if (plain && is_null_word(text)) {
        out.kind = Value::Kind::null;
        return true;
      }
      out.kind = Value::Kind::scalar;
      out.scalar.assign(text);
      out.plain = plain;
      return true;
    }
    case YAML_SEQUENCE_START_EVENT: {
      if (e.data.sequence_start.anchor != nullptr || e.data.sequence_start.tag != nullptr) {
        return false;
      }
      out.kind = Value::Kind::sequence;
      for (;;) {
        Event item(*this);
        if (!item.ok) {
          return false;
        }
        if (item.ev.type == YAML_SEQUENCE_END_EVENT) {
          return true;
        }
        // A block scalar whose indicator stands on a later line no deeper than the dash
        // (`-` then `|` below it): libyaml takes it as the item, yaml-cpp refuses it.
        if (item.ev.type == YAML_SCALAR_EVENT && e.data.sequence_start.style == YAML_BLOCK_SEQUENCE_STYLE &&
            (item.ev.data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
             item.ev.data.scalar.style == YAML_FOLDED_SCALAR_STYLE) &&
            item.ev.start_mark.column <= e.start_mark.column) {
          return false;
        }
        out.items.emplace_back();
        if (!node(item.ev, out.items.back(), depth + 1)) {
          return false;
        }
      }
    }
    case YAML_MAPPING_START_EVENT: {
      if (e.data.mapping_start.anchor != nullptr || e.data.mapping_start.tag != nullptr) {
        return false;
      }
      out.kind = Value::Kind::mapping;
      for (;;) {
        Event key(*this);
        if (!key.ok) {
          return false;
        }
        if (key.ev.type == YAML_MAPPING_END_EVENT) {
          return true;
        }
        if (key.ev.type != YAML_SCALAR_EVENT || key.ev.data.scalar.anchor != nullptr ||
            key.ev.data.scalar.tag != nullptr) {
          return false;
        }
        std::string name(reinterpret_cast<const char*>(key.ev.data.scalar.value), key.ev.data.scalar.length);
        if (key.ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && is_null_word(name)) {
          return false; // a null key: yaml-cpp's message
        }
        for (const auto& entry : out.entries) {
          if (entry.first == name) {
            return false; // a duplicate key: yaml-cpp's message
          }
        }
        out.entries.emplace_back(std::move(name), Value{});
        Event value(*this);
        if (!value.ok || !node(value.ev, out.entries.back().second, depth + 1)) {
          return false;
        }
      }
    }
    default:
      return false; // aliases and anything unexpected
    }
  }

  yaml_parser_t m_parser{};
  bool m_ready = false;
};

} // namespace

std::optional<Value> parse_yaml_fast(std::string_view text)
{
  // NUL bytes and malformed UTF-8 are read differently by the two libraries (and refused
  // by read_text_file before any file is parsed), and so are NEL, LS and PS, which libyaml
  // takes as line breaks: left to yaml-cpp.
  if (text.find('\0') != std::string_view::npos || !text::is_valid_utf8(text) ||
      text.find("\u0085") != std::string_view::npos || text.find("\u2028") != std::string_view::npos ||
      text.find("\u2029") != std::string_view::npos) {
    return std::nullopt;
  }
  // libyaml takes a carriage return alone as a line break, yaml-cpp does not: such text is
  // left to yaml-cpp, so both readers agree (found by tests/fuzz/ticket_fast_yaml.cpp).
  for (std::size_t cr = text.find('\r'); cr != std::string_view::npos; cr = text.find('\r', cr + 1)) {
    if (cr + 1 == text.size() || text[cr + 1] != '\n') {
      return std::nullopt;
    }
  }
  // Git conflict markers are refused by yaml-cpp's reader with their line (parse_yaml):
  // such text is left to it rather than read as plain scalars here.
  if (text.find("<<<<<<<") != std::string_view::npos || text.find(">>>>>>>") != std::string_view::npos ||
      text.find("=======") != std::string_view::npos) {
    return std::nullopt;
  }
  FastParser parser(text);
  return parser.document();
}

} // namespace desk::storage
