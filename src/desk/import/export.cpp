#include <desk/import/export.hpp>
#include <desk/util/text.hpp>

#include <desk/model/json.hpp>
#include <desk/util/error.hpp>
#include <desk/util/parallel.hpp>

#include <fmt/format.h>

#include <climits>

namespace desk::import {

namespace {

using desk::text::csv_cell;

std::string dump(const nlohmann::ordered_json& j)
{
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::strict);
}

std::string csv_header()
{
  std::string out;
  for (const auto& spec : ticket_fields()) {
    out += spec.name;
    out += ',';
  }
  return out + "extra,events\r\n";
}

std::string csv_row(const Ticket& t)
{
  std::string out;
  for (const auto& spec : ticket_fields()) {
    const Value* v = t.find(spec.name);
    if (v && v->is_sequence()) {
      out += csv_cell(fmt::format("{}", fmt::join(v->strings(), "; ")));
    } else if (v && v->is_scalar()) {
      out += csv_cell(v->scalar);
    } else if (v && !v->is_null()) {
      out += csv_cell(dump(value_to_json(*v)));
    }
    out += ',';
  }
  Value extra = Value::map();
  for (const auto& [key, value] : t.fields().entries) {
    if (!find_field(key)) {
      extra.entries.emplace_back(key, value);
    }
  }
  out += extra.entries.empty() ? std::string() : csv_cell(dump(value_to_json(extra)));
  out += ',';
  auto events = nlohmann::ordered_json::array();
  for (const auto& e : t.events()) {
    events.push_back(event_to_json(e));
  }
  out += csv_cell(dump(events));
  return out + "\r\n";
}

// The JSON text has been checked by nlohmann::json::accept; these walk it without building it.
std::size_t skip_ws(std::string_view s, std::size_t pos)
{
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\n' || s[pos] == '\r' || s[pos] == '\t')) {
    ++pos;
  }
  return pos;
}

std::size_t skip_string(std::string_view s, std::size_t pos)
{
  ++pos; // opening quote
  while (pos < s.size() && s[pos] != '"') {
    pos += s[pos] == '\\' ? 2 : 1;
  }
  return pos + 1;
}

// End of the value starting at `pos` (after white space).
std::size_t skip_value(std::string_view s, std::size_t pos)
{
  pos = skip_ws(s, pos);
  if (pos >= s.size()) {
    return pos;
  }
  if (s[pos] == '"') {
    return skip_string(s, pos);
  }
  if (s[pos] == '{' || s[pos] == '[') {
    int depth = 0;
    while (pos < s.size()) {
      const char c = s[pos];
      if (c == '"') {
        pos = skip_string(s, pos);
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          return pos + 1;
        }
      }
      ++pos;
    }
    return pos;
  }
  while (pos < s.size() && s[pos] != ',' && s[pos] != '}' && s[pos] != ']' && s[pos] != ' ' && s[pos] != '\n' &&
         s[pos] != '\r' && s[pos] != '\t') {
    ++pos;
  }
  return pos;
}

// Members of the object at `pos`: (key, value start, value end).
std::vector<std::tuple<std::string, std::size_t, std::size_t>> object_members(std::string_view s, std::size_t pos)
{
  std::vector<std::tuple<std::string, std::size_t, std::size_t>> out;
  pos = skip_ws(s, pos) + 1; // '{'
  while (true) {
    pos = skip_ws(s, pos);
    if (pos >= s.size() || s[pos] == '}') {
      return out;
    }
    const std::size_t key_end = skip_string(s, pos);
    std::string key = nlohmann::json::parse(s.substr(pos, key_end - pos)).get<std::string>();
    pos = skip_ws(s, key_end) + 1; // ':'
    const std::size_t value_start = skip_ws(s, pos);
    const std::size_t value_end = skip_value(s, value_start);
    out.emplace_back(std::move(key), value_start, value_end);
    pos = skip_ws(s, value_end);
    if (pos < s.size() && s[pos] == ',') {
      ++pos;
    }
  }
}

// Elements of the array at `pos`: (start, end).
std::vector<std::pair<std::size_t, std::size_t>> array_elements(std::string_view s, std::size_t pos)
{
  std::vector<std::pair<std::size_t, std::size_t>> out;
  pos = skip_ws(s, pos) + 1; // '['
  while (true) {
    pos = skip_ws(s, pos);
    if (pos >= s.size() || s[pos] == ']') {
      return out;
    }
    const std::size_t end = skip_value(s, pos);
    out.emplace_back(pos, end);
    pos = skip_ws(s, end);
    if (pos < s.size() && s[pos] == ',') {
      ++pos;
    }
  }
}

std::pair<int, int> locate(std::string_view s, std::size_t offset)
{
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset && i < s.size(); ++i) {
    if (s[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  int column = 1;
  for (std::size_t i = line_start; i < offset && i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0U) != 0x80U) {
      ++column;
    }
  }
  return {line, column};
}

// Where the first object or array nested deeper than k_max_json_depth opens, or npos.
std::size_t too_deep_at(std::string_view s)
{
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > k_max_json_depth) {
        return i;
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return std::string_view::npos;
}

// Records the first error of a SAX parse with its byte offset (syntax errors and numbers
// out of range alike).
struct JsonErrorFinder : nlohmann::json_sax<nlohmann::json> {
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override
  {
    offset = position;
    message = ex.what();
    if (const auto bracket = message.find("] "); message.starts_with("[json.exception") && bracket != std::string::npos) {
      message = message.substr(bracket + 2);
    }
    if (message.starts_with("parse error at line")) {
      if (const auto colon = message.find(": "); colon != std::string::npos) {
        message = message.substr(colon + 2);
      }
    }
    return false;
  }
  std::size_t offset = 0;
  std::string message;
};

Value json_to_value_at(const nlohmann::ordered_json& j, int depth);

} // namespace

Value json_to_value(const nlohmann::ordered_json& j)
{
  return json_to_value_at(j, 0);
}

namespace {

Value json_to_value_at(const nlohmann::ordered_json& j, int depth)
{
  if (depth > k_max_json_depth) {
    throw ParseError("JSON", 0, 0, fmt::format("nested more than {} levels deep", k_max_json_depth));
  }
  switch (j.type()) {
  case nlohmann::ordered_json::value_t::null:
  case nlohmann::ordered_json::value_t::discarded:
    return Value{};
  case nlohmann::ordered_json::value_t::boolean: {
    Value v = Value::text(j.get<bool>() ? "true" : "false");
    v.plain = true;
    return v;
  }
  case nlohmann::ordered_json::value_t::number_integer:
    return Value::number(j.get<long long>());
  case nlohmann::ordered_json::value_t::number_unsigned: {
    if (j.get<unsigned long long>() <= static_cast<unsigned long long>(LLONG_MAX)) {
      return Value::number(static_cast<long long>(j.get<unsigned long long>()));
    }
    Value v = Value::text(j.dump());
    v.plain = true;
    return v;
  }
  case nlohmann::ordered_json::value_t::number_float: {
    Value v = Value::text(j.dump());
    v.plain = true;
    return v;
  }
  case nlohmann::ordered_json::value_t::string:
    return Value::text(j.get<std::string>());
  case nlohmann::ordered_json::value_t::array: {
    Value v;
    v.kind = Value::Kind::sequence;
    for (const auto& item : j) {
      v.items.push_back(json_to_value_at(item, depth + 1));
    }
    return v;
  }
  case nlohmann::ordered_json::value_t::object: {
    Value v = Value::map();
    for (const auto& [key, item] : j.items()) {
      v.entries.emplace_back(key, json_to_value_at(item, depth + 1));
    }
    return v;
  }
  case nlohmann::ordered_json::value_t::binary:
    break;
  }
  return Value{};
}

} // namespace

ExportDocument::ExportDocument(std::string text, std::string path) : m_text(std::move(text)), m_path(std::move(path))
{
  // Nesting first: the readers below (and every later step) recurse.
  if (const auto deep = too_deep_at(m_text); deep != std::string_view::npos) {
    const auto [line, column] = locate(m_text, deep);
    throw ParseError(m_path, line, column, fmt::format("nested more than {} levels deep", k_max_json_depth),
                     "give a file written by `desk export --format json`");
  }
  JsonErrorFinder finder;
  if (!nlohmann::json::sax_parse(m_text, &finder)) {
    const auto [line, column] = locate(m_text, finder.offset > 0 ? finder.offset - 1 : 0);
    throw ParseError(m_path, line, column,
                     fmt::format("not valid JSON: {}", finder.message.empty() ? "syntax error" : finder.message),
                     "give a file written by `desk export --format json`");
  }
  const std::string_view s = m_text;
  std::size_t pos = skip_ws(s, 0);
  std::size_t tickets = std::string::npos;
  if (pos < s.size() && s[pos] == '[') {
    tickets = pos;
  } else if (pos < s.size() && s[pos] == '{') {
    bool format_ok = false;
    for (const auto& [key, begin, end] : object_members(s, pos)) {
      const auto value = nlohmann::json::parse(s.substr(begin, end - begin));
      const auto [line, column] = locate(s, begin);
      if (key == "format") {
        if (!value.is_string() || value.get<std::string>() != k_export_format) {
          throw ParseError(m_path, line, column, fmt::format("'format' is {}, not \"{}\"", value.dump(), k_export_format),
                           "give a file written by `desk export --format json`");
        }
        format_ok = true;
      } else if (key == "version") {
        if (!value.is_number_integer() || value.get<long long>() < 1 || value.get<long long>() > k_export_version) {
          throw ParseError(m_path, line, column,
                           fmt::format("export version {} is not one this desk reads (it reads {})", value.dump(),
                                       k_export_version),
                           "import it with the desk version that exported it, or a newer one");
        }
      } else if (key == "tickets") {
        if (!value.is_array()) {
          throw ParseError(m_path, line, column, "'tickets' must be a list of tickets");
        }
        tickets = begin;
      }
    }
    if (!format_ok || tickets == std::string::npos) {
      throw ParseError(m_path, 1, 1,
                       fmt::format("not a desk export: the document needs \"format\": \"{}\" and \"tickets\"",
                                   k_export_format),
                       "give a file written by `desk export --format json`");
    }
  } else {
    throw ParseError(m_path, 1, 1, "not a desk export: expected a JSON object or a list of tickets",
                     "give a file written by `desk export --format json`");
  }
  m_tickets = array_elements(s, tickets);
  m_ids.resize(m_tickets.size());
  for (std::size_t i = 0; i < m_tickets.size(); ++i) {
    const auto [begin, end] = m_tickets[i];
    if (s[begin] != '{') {
      const auto [line, column] = locate(s, begin);
      throw ParseError(m_path, line, column, fmt::format("tickets[{}] is not a ticket (a JSON object)", i));
    }
    for (const auto& [key, vb, ve] : object_members(s, begin)) {
      if (key == "id") {
        const auto value = nlohmann::json::parse(s.substr(vb, ve - vb));
        if (value.is_string()) {
          m_ids[i] = value.get<std::string>();
        }
      }
    }
  }
}

Ticket ExportDocument::build(std::size_t i) const
{
  const auto [begin, end] = m_tickets[i];
  const std::string label = m_ids[i].empty() ? fmt::format("tickets[{}]", i) : fmt::format("tickets[{}] ({})", i, m_ids[i]);
  try {
    const auto json = nlohmann::ordered_json::parse(std::string_view(m_text).substr(begin, end - begin));
    return Ticket::from_value(json_to_value(json), label);
  } catch (const ParseError& e) {
    const auto [line, column] = locate(m_text, begin);
    throw ParseError(m_path, line, column, e.what(), "fix the ticket in the file, or export it again");
  }
}

ExportStats export_tickets(const storage::TicketStore& store, const query::Filter& filter, ExportFormat format,
                           const std::function<void(std::string_view)>& sink,
                           const std::function<void(const storage::LoadProblem&)>& on_problem)
{
  ExportStats stats;
  const auto refs = store.scan();
  if (format == ExportFormat::json) {
    sink(fmt::format("{{\"format\":\"{}\",\"version\":{},\"tickets\":[\n", k_export_format, k_export_version));
  } else {
    sink(csv_header());
  }
  constexpr std::size_t k_batch = 512;
  bool first = true;
  for (std::size_t start = 0; start < refs.size(); start += k_batch) {
    const std::size_t n = std::min(k_batch, refs.size() - start);
    std::vector<std::string> pieces(n);
    std::vector<std::size_t> events(n, 0);
    std::vector<std::optional<storage::LoadProblem>> problems(n);
    std::vector<char> chosen(n, 0);
    parallel_for(n, thread_count(0, refs.size()), [&](std::size_t k) {
      const auto& ref = refs[start + k];
      Ticket t;
      try {
        t = store.load(ref);
      } catch (const Error& e) {
        problems[k] = storage::LoadProblem::of(ref.path, e);
        return;
      }
      if (!filter.matches(t)) {
        return;
      }
      chosen[k] = 1;
      events[k] = t.events().size();
      pieces[k] = format == ExportFormat::json ? dump(ticket_to_json(t, true)) : csv_row(t);
    });
    for (std::size_t k = 0; k < n; ++k) {
      if (problems[k]) {
        ++stats.skipped;
        on_problem(*problems[k]);
        continue;
      }
      if (!chosen[k]) {
        continue;
      }
      ++stats.tickets;
      stats.events += events[k];
      if (format == ExportFormat::json) {
        sink(first ? std::string_view() : std::string_view(",\n"));
      }
      first = false;
      sink(pieces[k]);
    }
  }
  if (format == ExportFormat::json) {
    sink(first ? "]}\n" : "\n]}\n");
  }
  return stats;
}

} // namespace desk::import
