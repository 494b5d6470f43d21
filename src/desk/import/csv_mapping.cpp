#include <desk/import/csv_mapping.hpp>

#include <desk/import/history.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/storage/yaml_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>
#include <desk/util/time.hpp>
#include <desk/util/time_zone.hpp>
#include <desk/workflow/transitions.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <unordered_map>

namespace desk::import {

namespace {

enum class Kind { text, list, time, scale, category, actor };

struct FieldInfo {
  std::string_view name;
  Kind kind;
};

// Fields a mapping may fill; `opened_by` and `resolved_by` name the actors of the open and
// resolve events.
constexpr std::array<FieldInfo, 28> k_fields = {{
  {"title", Kind::text},         {"description", Kind::text}, {"steps", Kind::text},
  {"error", Kind::text},         {"type", Kind::scale},       {"status", Kind::scale},
  {"pending_reason", Kind::scale}, {"priority", Kind::scale}, {"impact", Kind::scale},
  {"urgency", Kind::scale},      {"category", Kind::category}, {"channel", Kind::scale},
  {"reporter", Kind::text},      {"department", Kind::text},  {"contact", Kind::text},
  {"affected", Kind::list},      {"team", Kind::text},        {"assignee", Kind::text},
  {"vendor", Kind::text},        {"created", Kind::time},     {"updated", Kind::time},
  {"occurred_at", Kind::time},   {"resolved_at", Kind::time}, {"closed_at", Kind::time},
  {"solution", Kind::text},      {"cause", Kind::text},       {"opened_by", Kind::actor},
  {"resolved_by", Kind::actor},
}};

const FieldInfo* field_info(std::string_view name)
{
  for (const auto& f : k_fields) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

[[noreturn]] void fail(const std::string& path, const Value& where, const std::string& message,
                       const std::string& hint = {})
{
  throw ParseError(path, where.line, where.column, message,
                   hint.empty() ? std::string("see the shipped mappings in share/import/ and share/doc/import.md") : hint);
}

std::string scalar_of(const std::string& path, const Value& v, std::string_view what)
{
  if (!v.is_scalar()) {
    fail(path, v, fmt::format("{} must be a single value", what));
  }
  return v.scalar;
}

bool iequals(std::string_view a, std::string_view b)
{
  return a.size() == b.size() && text::ascii_lower(a) == text::ascii_lower(b);
}

// A source value shown in messages.
std::string shown(std::string_view s)
{
  return fmt::format("'{}'", s);
}

const std::vector<std::string>& allowed_for(const Config& c, std::string_view field, std::vector<std::string>& scratch)
{
  if (field == "type") {
    scratch = c.type_names();
    return scratch;
  }
  if (field == "status") {
    scratch = workflow::status_names();
    return scratch;
  }
  if (field == "pending_reason") {
    return c.pending_reasons;
  }
  if (field == "priority") {
    return c.priorities;
  }
  if (field == "impact") {
    return c.impacts;
  }
  if (field == "urgency") {
    return c.urgencies;
  }
  return c.channels;
}

constexpr std::array<std::string_view, 12> k_months = {"january", "february", "march",     "april",   "may",      "june",
                                                       "july",    "august",   "september", "october", "november", "december"};

} // namespace

const std::vector<std::string>& mappable_fields()
{
  static const std::vector<std::string> k_names = [] {
    std::vector<std::string> out;
    for (const auto& f : k_fields) {
      out.emplace_back(f.name);
    }
    return out;
  }();
  return k_names;
}

std::optional<Timestamp> parse_with_format(std::string_view text, std::string_view format, const TimeZone* zone)
{
  text = text::trim(text);
  if (format == "iso") {
    return parse_timestamp(text, zone);
  }
  int year = 1970;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int pm = -1; // -1: no %p
  std::optional<std::chrono::seconds> offset;
  std::size_t pos = 0;
  for (std::size_t f = 0; f < format.size(); ++f) {
    const char fc = format[f];
    if (fc == ' ') {
      if (pos >= text.size() || text[pos] != ' ') {
        return std::nullopt;
      }
      while (pos < text.size() && text[pos] == ' ') {
        ++pos;
      }
      continue;
    }
    if (fc != '%' || f + 1 == format.size()) {
      if (pos >= text.size() || text[pos] != fc) {
        return std::nullopt;
      }
      ++pos;
      continue;
    }
    const char spec = format[++f];
    bool ok = true;
    switch (spec) {
    case 'Y':
      ok = text::read_digits(text, pos, 1, 4, year);
      break;
    case 'y':
      ok = text::read_digits(text, pos, 1, 2, year);
      year += year < 69 ? 2000 : 1900;
      break;
    case 'm':
      ok = text::read_digits(text, pos, 1, 2, month);
      break;
    case 'd':
    case 'e':
      while (spec == 'e' && pos < text.size() && text[pos] == ' ') {
        ++pos;
      }
      ok = text::read_digits(text, pos, 1, 2, day);
      break;
    case 'H':
    case 'I':
      ok = text::read_digits(text, pos, 1, 2, hour);
      break;
    case 'M':
      ok = text::read_digits(text, pos, 1, 2, minute);
      break;
    case 'S':
      ok = text::read_digits(text, pos, 1, 2, second);
      if (ok && pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          ++pos;
        }
      }
      break;
    case 'p': {
      const std::string word = text::ascii_lower(text.substr(pos, 2));
      if (word == "am" || word == "pm") {
        pm = word == "pm" ? 1 : 0;
        pos += 2;
      } else {
        ok = false;
      }
      break;
    }
    case 'b':
    case 'B': {
      ok = false;
      std::size_t end = pos;
      while (end < text.size() && ((text[end] >= 'a' && text[end] <= 'z') || (text[end] >= 'A' && text[end] <= 'Z'))) {
        ++end;
      }
      const std::string word = text::ascii_lower(text.substr(pos, end - pos));
      for (std::size_t m = 0; m < k_months.size(); ++m) {
        if (word.size() >= 3 && (word == k_months[m] || word == k_months[m].substr(0, 3))) {
          month = static_cast<int>(m) + 1;
          ok = true;
        }
      }
      pos = end;
      break;
    }
    case 'z': {
      if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        offset = std::chrono::seconds{0};
        ++pos;
        break;
      }
      if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) {
        ok = false;
        break;
      }
      const int sign = text[pos++] == '-' ? -1 : 1;
      int oh = 0;
      int om = 0;
      const std::size_t start = pos;
      ok = text::read_digits(text, pos, 1, 2, oh) && pos - start == 2;
      if (ok && pos < text.size() && text[pos] == ':') {
        ++pos;
      }
      if (ok && pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        ok = text::read_digits(text, pos, 1, 2, om);
      }
      offset = std::chrono::seconds{sign * (oh * 3600 + om * 60)};
      break;
    }
    case '%':
      ok = pos < text.size() && text[pos] == '%';
      ++pos;
      break;
    default:
      return std::nullopt;
    }
    if (!ok) {
      return std::nullopt;
    }
  }
  if (pos != text.size()) {
    return std::nullopt;
  }
  if (pm >= 0) {
    if (hour < 1 || hour > 12) {
      return std::nullopt;
    }
    hour = hour % 12 + (pm == 1 ? 12 : 0);
  }
  return make_timestamp(year, month, day, hour, minute, second, offset, zone);
}

CsvMapping CsvMapping::load(const std::filesystem::path& path)
{
  return parse(storage::read_text_file(path), path.string());
}

CsvMapping CsvMapping::parse(std::string_view text, const std::string& path)
{
  const Value doc = storage::parse_yaml(text, path);
  if (!doc.is_mapping()) {
    fail(path, doc, "a mapping file is a YAML mapping (source:, external_id:, fields:, ...)");
  }
  CsvMapping m;
  m.path = path;
  bool have_fields = false;
  for (const auto& [key, v] : doc.entries) {
    if (key == "source") {
      m.source = scalar_of(path, v, "'source'");
      const bool ok = !m.source.empty() && std::all_of(m.source.begin(), m.source.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      });
      if (!ok) {
        fail(path, v, fmt::format("'source' must be a short lower-case name such as jira, not '{}'", m.source));
      }
    } else if (key == "delimiter") {
      const std::string d = scalar_of(path, v, "'delimiter'");
      if (d == "\\t" || d == "tab" || d == "\t") {
        m.delimiter = '\t';
      } else if (d.size() == 1 && d != "\"" && d != "\n" && d != "\r") {
        m.delimiter = d[0];
      } else {
        fail(path, v, fmt::format("'delimiter' must be one character (',', ';', tab), not '{}'", d));
      }
    } else if (key == "date_format") {
      m.date_format = scalar_of(path, v, "'date_format'");
    } else if (key == "timezone") {
      m.timezone = scalar_of(path, v, "'timezone'");
      try {
        find_zone(m.timezone);
      } catch (const UsageError& e) {
        fail(path, v, e.what(), e.hint());
      }
    } else if (key == "external_id") {
      m.external_id = scalar_of(path, v, "'external_id'");
    } else if (key == "fields") {
      if (!v.is_mapping()) {
        fail(path, v, "'fields' must map desk fields to columns (title: Summary)");
      }
      have_fields = true;
      for (const auto& [name, spec] : v.entries) {
        const Value* where = &spec;
        if (!field_info(name)) {
          fail(path, spec, fmt::format("'{}' is not a field a mapping can fill; use one of: {}", name,
                                       fmt::join(mappable_fields(), ", ")));
        }
        FieldRule rule;
        rule.field = name;
        rule.line = where->line;
        rule.column = where->column;
        if (spec.is_scalar()) {
          rule.columns.push_back(spec.scalar);
        } else if (spec.is_mapping()) {
          for (const auto& [k, x] : spec.entries) {
            if (k == "column") {
              if (x.is_sequence()) {
                for (const auto& item : x.items) {
                  rule.columns.push_back(scalar_of(path, item, "a column name"));
                }
              } else {
                rule.columns.push_back(scalar_of(path, x, "'column'"));
              }
            } else if (k == "value") {
              rule.constant = scalar_of(path, x, "'value'");
            } else if (k == "default") {
              rule.fallback = scalar_of(path, x, "'default'");
            } else if (k == "split") {
              rule.split = scalar_of(path, x, "'split'");
            } else if (k == "map") {
              if (!x.is_mapping()) {
                fail(path, x, "'map' must map source values to desk values (High: P2)");
              }
              for (const auto& [from, to] : x.entries) {
                rule.map.emplace_back(from, scalar_of(path, to, fmt::format("the desk value of '{}'", from)));
              }
            } else {
              fail(path, x, fmt::format("unknown key '{}' in the rule for '{}'; a rule has column, value, map, "
                                        "default, split",
                                        k, name));
            }
          }
        } else {
          fail(path, spec, fmt::format("the rule for '{}' must be a column name or a mapping (column:, map:, ...)", name));
        }
        if (rule.columns.empty() == rule.constant.empty()) {
          fail(path, spec, fmt::format("the rule for '{}' needs either 'column' or 'value'", name));
        }
        m.fields.push_back(std::move(rule));
      }
    } else if (key == "keep") {
      if (!v.is_mapping()) {
        fail(path, v, "'keep' must map columns to keys (Labels: labels)");
      }
      for (const auto& [column, k] : v.entries) {
        m.keep.emplace_back(column, scalar_of(path, k, fmt::format("the key for column '{}'", column)));
      }
    } else {
      fail(path, v, fmt::format("unknown key '{}'; a mapping has source, delimiter, date_format, timezone, "
                                "external_id, fields, keep",
                                key));
    }
  }
  if (m.external_id.empty()) {
    fail(path, doc, "the mapping has no 'external_id' (the column that identifies a ticket in the source)",
         "add 'external_id: <column>' so a re-import updates tickets instead of duplicating them");
  }
  if (!have_fields || !m.rule("title") || !m.rule("created")) {
    fail(path, doc, "the mapping needs 'fields' with at least 'title' and 'created'");
  }
  for (const auto& r : m.fields) {
    if (r.field == "created" || r.field == "updated" || r.field == "occurred_at" || r.field == "resolved_at" ||
        r.field == "closed_at") {
      if (!r.constant.empty()) {
        throw ParseError(path, r.line, r.column, fmt::format("'{}' must come from a column", r.field));
      }
    }
  }
  return m;
}

const FieldRule* CsvMapping::rule(std::string_view field) const
{
  for (const auto& r : fields) {
    if (r.field == field) {
      return &r;
    }
  }
  return nullptr;
}

MappedCsv::MappedCsv(CsvTable table, CsvMapping mapping, const Config& config, std::string timezone_override)
  : m_table(std::move(table)), m_mapping(std::move(mapping)), m_config(config)
{
  m_zone_out = find_zone(config.timezone);
  const std::string zone = !timezone_override.empty() ? timezone_override
                                                       : (!m_mapping.timezone.empty() ? m_mapping.timezone : config.timezone);
  m_zone_in = find_zone(zone);
  auto need = [&](const std::string& name, const std::string& why) {
    auto found = m_table.find_columns(name);
    if (found.empty()) {
      m_table.fail_header(std::string::npos,
                          fmt::format("missing column '{}' ({}); the file's columns are: {}", name, why,
                                      fmt::join(m_table.header(), ", ")),
                          fmt::format("export the column, or change the mapping {}", m_mapping.path));
    }
    m_columns[name] = std::move(found);
  };
  // A name the header repeats is every such column for a list field (exports repeat a name
  // for multi-valued fields); for one value (the external id, a title, a time) it is an
  // error: which of them is meant cannot be known.
  auto single = [&](const std::string& name, const std::string& what) {
    const auto& found = m_columns[name];
    if (found.size() > 1) {
      m_table.fail_header(found[1],
                          fmt::format("column '{}' appears {} times in the header (columns {} and {}), but {} takes "
                                      "one value",
                                      name, found.size(), found[0] + 1, found[1] + 1, what),
                          "rename or remove the repeated column in the file, or map another one");
    }
  };
  need(m_mapping.external_id, "the external id in the mapping");
  single(m_mapping.external_id, "the external id");
  m_external_id = m_columns[m_mapping.external_id].front();
  for (const auto& rule : m_mapping.fields) {
    for (const auto& c : rule.columns) {
      need(c, fmt::format("mapped to '{}' at {}:{}", rule.field, m_mapping.path, rule.line));
      if (field_info(rule.field)->kind != Kind::list) {
        single(c, fmt::format("'{}' (mapped at {}:{})", rule.field, m_mapping.path, rule.line));
      }
    }
  }
  for (const auto& [column, key] : m_mapping.keep) {
    need(column, fmt::format("kept as '{}' in the mapping", key));
  }
  // Check every row now: nothing may be written for a file with a bad row.
  std::unordered_map<std::string_view, std::size_t> seen;
  std::set<std::string> categories;
  std::set<std::string> reasons;
  for (std::size_t r = 0; r < m_table.rows(); ++r) {
    const std::string_view key = text::trim(m_table.cell(r, m_external_id));
    if (key.empty()) {
      m_table.fail(r, m_external_id, fmt::format("empty external id (column '{}')", m_mapping.external_id),
                   "every row needs the id the ticket has in the source");
    }
    if (const auto [it, fresh] = seen.emplace(key, r); !fresh) {
      m_table.fail(r, m_external_id,
                   fmt::format("external id '{}' appears again (first on line {})", key, m_table.line_of(it->second)),
                   "a one-row-per-ticket export has each ticket once");
    }
    for (const auto& rule : m_mapping.fields) {
      const FieldInfo* info = field_info(rule.field);
      if (info->kind == Kind::time) {
        time(rule.field, r);
      } else if (info->kind == Kind::list) {
        list(rule, r);
      } else {
        std::size_t where = std::string::npos;
        const std::string v = scalar(rule, r, where);
        if (info->kind == Kind::category && !v.empty() && categories.insert(v).second) {
          m_categories.push_back(v);
        }
        if (rule.field == "pending_reason" && !v.empty() && reasons.insert(v).second) {
          m_pending_reasons.push_back(v);
        }
      }
    }
    if (text_of("title", r).empty()) {
      const FieldRule* rule = m_mapping.rule("title");
      std::size_t where = std::string::npos;
      scalar(*rule, r, where);
      m_table.fail(r, where == std::string::npos ? m_columns[rule->columns.front()].front() : where,
                   "an empty title", "every ticket needs a title; map another column or give the rule a default");
    }
    if (!time("created", r)) {
      m_table.fail(r, m_columns[m_mapping.rule("created")->columns.front()].front(), "an empty creation time",
                   "every ticket needs the time it was created");
    }
  }
}

std::string MappedCsv::scalar(const FieldRule& rule, std::size_t row, std::size_t& where) const
{
  std::string raw;
  where = std::string::npos;
  if (!rule.constant.empty()) {
    raw = rule.constant;
  } else {
    for (const auto& name : rule.columns) {
      for (const std::size_t c : m_columns.at(name)) {
        const std::string_view v = text::trim(m_table.cell(row, c));
        if (where == std::string::npos) {
          where = c;
        }
        if (!v.empty()) {
          raw = v;
          where = c;
          break;
        }
      }
      if (!raw.empty()) {
        break;
      }
    }
  }
  auto fail_value = [&](const std::string& message, const std::string& hint) {
    if (where == std::string::npos) {
      throw ParseError(m_mapping.path, rule.line, rule.column, message, hint);
    }
    m_table.fail(row, where, message, hint);
  };
  std::string value;
  if (raw.empty()) {
    value = rule.fallback.value_or("");
  } else if (!rule.map.empty()) {
    const auto exact = std::find_if(rule.map.begin(), rule.map.end(), [&](const auto& p) { return p.first == raw; });
    const auto loose = exact != rule.map.end()
                         ? exact
                         : std::find_if(rule.map.begin(), rule.map.end(), [&](const auto& p) { return iequals(p.first, raw); });
    if (loose != rule.map.end()) {
      value = loose->second;
    } else if (rule.fallback) {
      value = *rule.fallback;
    } else {
      std::vector<std::string> known;
      for (const auto& [from, to] : rule.map) {
        known.push_back(shown(from));
      }
      fail_value(fmt::format("unknown {} value '{}' (column '{}'); the mapping knows {}", rule.field, raw,
                             where == std::string::npos ? std::string("?") : m_table.header()[where],
                             fmt::join(known, ", ")),
                 fmt::format("add it under fields.{}.map in {}, or give the rule a default", rule.field, m_mapping.path));
    }
  } else {
    value = raw;
  }
  const FieldInfo* info = field_info(rule.field);
  if (info->kind == Kind::scale && !value.empty()) {
    std::vector<std::string> scratch;
    const auto& allowed = allowed_for(m_config, rule.field, scratch);
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      fail_value(fmt::format("{} '{}' is not one desk knows; the config allows: {}", rule.field, value,
                             fmt::join(allowed, ", ")),
                 fmt::format("map it with fields.{}.map in {}", rule.field, m_mapping.path));
    }
  }
  if ((info->kind == Kind::text || info->kind == Kind::actor || info->kind == Kind::category) &&
      rule.field != "description" && rule.field != "steps" && rule.field != "error" && rule.field != "solution" &&
      rule.field != "cause") {
    value = text::one_line(value);
  }
  return value;
}

std::vector<std::string> MappedCsv::list(const FieldRule& rule, std::size_t row) const
{
  std::vector<std::string> out;
  auto add = [&](std::string_view v) {
    const std::string item(text::trim(v));
    if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) {
      out.push_back(item);
    }
  };
  if (!rule.constant.empty()) {
    add(rule.constant);
    return out;
  }
  for (const auto& name : rule.columns) {
    for (const std::size_t c : m_columns.at(name)) {
      const std::string_view v = m_table.cell(row, c);
      if (rule.split.empty()) {
        add(v);
        continue;
      }
      std::size_t start = 0;
      while (start <= v.size()) {
        const std::size_t end = std::min(v.find(rule.split, start), v.size());
        add(v.substr(start, end - start));
        start = end + rule.split.size();
      }
    }
  }
  return out;
}

std::optional<Timestamp> MappedCsv::time(std::string_view field, std::size_t row) const
{
  const FieldRule* rule = m_mapping.rule(field);
  if (!rule) {
    return std::nullopt;
  }
  for (const auto& name : rule->columns) {
    for (const std::size_t c : m_columns.at(name)) {
      const std::string_view v = text::trim(m_table.cell(row, c));
      if (v.empty()) {
        continue;
      }
      const auto t = parse_with_format(v, m_mapping.date_format, m_zone_in);
      if (!t) {
        m_table.fail(row, c,
                     fmt::format("'{}' (column '{}', mapped to {}) is not a time in the format '{}'", v,
                                 m_table.header()[c], field, m_mapping.date_format),
                     fmt::format("fix the cell, or set date_format in {}", m_mapping.path));
      }
      return t;
    }
  }
  return std::nullopt;
}

std::string MappedCsv::text_of(std::string_view field, std::size_t row) const
{
  const FieldRule* rule = m_mapping.rule(field);
  if (!rule) {
    return {};
  }
  std::size_t where = std::string::npos;
  return scalar(*rule, row, where);
}

std::string MappedCsv::external_id(std::size_t i) const
{
  return std::string(text::trim(m_table.cell(i, m_external_id)));
}

std::string MappedCsv::prefix(std::size_t i) const
{
  std::string type = text_of("type", i);
  if (type.empty()) {
    type = m_config.default_type;
  }
  return m_config.find_type(type)->prefix;
}

std::vector<std::string> MappedCsv::managed_fields() const
{
  std::vector<std::string> out = {"id", "type", "status", "pending_reason", "priority", "priority_reason", "impact",
                                  "urgency", "channel", "created", "updated", "responded_at", "respond_due",
                                  "resolve_due", "resolved_at", "closed_at", "confirmed_at", "reopen_count",
                                  "external_id", m_mapping.source};
  for (const auto& rule : m_mapping.fields) {
    if (rule.field != "opened_by" && rule.field != "resolved_by") {
      out.push_back(rule.field);
    }
  }
  return out;
}

Ticket MappedCsv::build(std::size_t i, const std::string& id) const
{
  const Config& c = m_config;
  std::string type = text_of("type", i);
  if (type.empty()) {
    type = c.default_type;
  }
  std::string impact = text_of("impact", i);
  std::string urgency = text_of("urgency", i);
  impact = impact.empty() ? c.default_impact : impact;
  urgency = urgency.empty() ? c.default_urgency : urgency;
  const std::string matrix = c.priority_for(impact, urgency);
  std::string priority = text_of("priority", i);
  std::string priority_reason;
  if (priority.empty()) {
    priority = matrix;
  } else if (priority != matrix) {
    priority_reason = fmt::format("set in {}", m_mapping.source);
  }
  const std::string status = text_of("status", i);
  const Timestamp created = *time("created", i);
  const auto updated = time("updated", i);
  const auto resolved = time("resolved_at", i);
  const auto closed = time("closed_at", i);
  const std::string ext = external_id(i);

  Ticket t;
  t.set("id", id);
  t.set("type", type);
  t.set("status", std::string(workflow::to_string(workflow::Status::new_)));
  t.set("title", text_of("title", i));
  t.set("created", format_timestamp(created, m_zone_out));
  const std::string channel = text_of("channel", i);
  t.set("channel", channel.empty() ? c.default_channel : channel);
  for (const char* field : {"reporter", "department", "contact", "vendor", "description", "steps", "error"}) {
    const std::string v = text_of(field, i);
    if (!v.empty()) {
      t.set(field, v);
    }
  }
  if (const FieldRule* rule = m_mapping.rule("affected")) {
    const auto items = list(*rule, i);
    if (!items.empty()) {
      t.set("affected", Value::list(items));
    }
  }
  if (const auto occurred = time("occurred_at", i)) {
    t.set("occurred_at", format_timestamp(*occurred, m_zone_out));
  }
  t.set("external_id", ext);
  Value kept = Value::map();
  for (const auto& [column, key] : m_mapping.keep) {
    std::vector<std::string> values;
    for (const std::size_t col : m_columns.at(column)) {
      const std::string v(text::trim(m_table.cell(i, col)));
      if (!v.empty()) {
        values.push_back(v);
      }
    }
    if (values.size() == 1) {
      kept.set(key, Value::text(values.front()));
    } else if (values.size() > 1) {
      kept.set(key, Value::list(values));
    }
  }
  if (!kept.empty()) {
    t.set(m_mapping.source, std::move(kept));
  }

  HistoryBuilder history(t, c, m_zone_out, m_mapping.source, fmt::format("{}\n{}", m_mapping.source, ext));
  const std::string reporter = t.get("reporter");
  const std::string assignee = text_of("assignee", i);
  std::string opener = text_of("opened_by", i);
  if (opener.empty()) {
    opener = reporter.empty() ? m_mapping.source : reporter;
  }
  std::string resolver = text_of("resolved_by", i);
  if (resolver.empty()) {
    resolver = assignee.empty() ? m_mapping.source : assignee;
  }
  {
    Value set = Value::map();
    set.set("status", Value::text(std::string(workflow::to_string(workflow::Status::new_))));
    set.set("priority", Value::text(priority));
    if (!priority_reason.empty()) {
      set.set("priority_reason", Value::text(priority_reason));
    }
    set.set("impact", Value::text(impact));
    set.set("urgency", Value::text(urgency));
    for (const char* field : {"category", "team"}) {
      if (const std::string v = text_of(field, i); !v.empty()) {
        set.set(field, Value::text(v));
      }
    }
    if (!assignee.empty()) {
      set.set("assignee", Value::text(assignee));
    }
    history.add("open", created, opener, std::move(set), "", "", "");
  }
  const Timestamp last_change = updated ? *updated : created;
  const std::string worker = assignee.empty() ? m_mapping.source : assignee;
  using workflow::Action;
  using workflow::Status;
  const std::string by_reporter = reporter.empty() ? m_mapping.source : reporter;
  auto resolve = [&](Timestamp at) {
    Value set = Value::map();
    for (const char* field : {"solution", "cause"}) {
      if (const std::string v = text_of(field, i); !v.empty()) {
        set.set(field, Value::text(v));
      }
    }
    set.set("resolved_at", Value::text(history.format(std::max(at, created))));
    history.add_step(Action::resolve, at, resolver, std::move(set));
  };
  // The steps that lead from new to the status the row names (checked against the status
  // names when the mapping was read).
  switch (workflow::parse_status(status).value_or(Status::new_)) {
  case Status::new_:
    break;
  case Status::triaged:
    history.add_step(Action::triage, last_change, worker);
    break;
  case Status::assigned:
    history.add_step(Action::assign, last_change, worker);
    break;
  case Status::in_progress:
    history.add_step(Action::start, last_change, worker);
    break;
  case Status::escalated:
    history.add_step(Action::escalate, last_change, worker);
    break;
  case Status::pending: {
    std::string reason = text_of("pending_reason", i);
    if (reason.empty() && !c.pending_reasons.empty()) {
      reason = c.pending_reasons.front();
    }
    Value set = Value::map();
    set.set("pending_reason", Value::text(reason));
    history.add_step(Action::pending, last_change, worker, std::move(set));
    break;
  }
  case Status::reopened: {
    Value set = Value::map();
    set.set("reopen_count", Value::number(1));
    history.add_step(Action::reopen, last_change, by_reporter, std::move(set));
    break;
  }
  case Status::resolved:
    resolve(resolved ? *resolved : (closed ? *closed : last_change));
    break;
  case Status::confirmed: {
    resolve(resolved ? *resolved : (closed ? *closed : last_change));
    Value set = Value::map();
    set.set("confirmed_at", Value::text(history.format(std::max(last_change, history.last_time()))));
    history.add_step(Action::confirm, last_change, by_reporter, std::move(set));
    break;
  }
  case Status::closed:
  case Status::cancelled: {
    const bool cancelled = status == workflow::to_string(Status::cancelled);
    if (!cancelled && resolved) {
      resolve(*resolved);
    }
    const Timestamp at = closed ? *closed : last_change;
    Value set = Value::map();
    set.set("closed_at", Value::text(history.format(std::max(at, history.last_time()))));
    history.add_step(cancelled ? Action::cancel : Action::close, at, worker, std::move(set));
    break;
  }
  }
  return t;
}

} // namespace desk::import
