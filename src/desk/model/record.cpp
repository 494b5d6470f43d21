#include <desk/model/record.hpp>

#include <desk/model/id.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <type_traits>

namespace desk {

namespace {

// Position of a known field in the schema; unknown keys sort after all known ones.
std::size_t field_rank(const std::vector<FieldSpec>& fields, std::string_view name)
{
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) {
      return i;
    }
  }
  return fields.size();
}

const std::set<std::string_view>& event_keys()
{
  static const std::set<std::string_view> k_keys = {"id", "at", "by", "action", "set", "note"};
  return k_keys;
}

// A copy of a const document's value, the value itself moved out of one given up.
template <class V>
std::remove_const_t<V> take_value(V& v)
{
  if constexpr (std::is_const_v<V>) {
    return v;
  } else {
    return std::move(v);
  }
}

} // namespace

const FieldSpec* find_spec(const std::vector<FieldSpec>& fields, std::string_view name)
{
  for (const auto& f : fields) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

void fail_at(const std::string& path, const Value& where, const std::string& message, const std::string& hint)
{
  throw ParseError(path, where.line, where.column, message, hint);
}

std::string required_scalar(const Value& map, std::string_view key, const std::string& path, const std::string& what)
{
  const Value* v = map.find(key);
  if (!v || v->empty()) {
    fail_at(path, map, fmt::format("{} has no '{}'", what, key), fmt::format("add '{}: ...'", key));
  }
  if (!v->is_scalar()) {
    fail_at(path, *v, fmt::format("'{}' must be a single value", key));
  }
  return v->scalar;
}

Event new_event(std::string action, std::string at, std::string by, Value set, std::string note, Value extra)
{
  Event e;
  e.id = ids::make_event_id();
  e.at = std::move(at);
  e.by = std::move(by);
  e.action = std::move(action);
  e.set = std::move(set);
  e.note = std::move(note);
  e.extra = std::move(extra);
  return e;
}

Value event_to_value(const Event& e)
{
  Value v = Value::map();
  v.set("id", Value::text(e.id));
  v.set("at", Value::text(e.at));
  v.set("by", Value::text(e.by));
  v.set("action", Value::text(e.action));
  if (!e.set.empty()) {
    v.set("set", e.set);
  }
  if (!e.note.empty()) {
    v.set("note", Value::text(e.note));
  }
  for (const auto& [k, x] : e.extra.entries) {
    v.set(k, x);
  }
  return v;
}

const std::string& Record::get(std::string_view name) const
{
  const Value* v = m_fields.find(name);
  static const std::string k_empty;
  return v ? v->str() : k_empty;
}

std::vector<std::string> Record::get_list(std::string_view name) const
{
  const Value* v = m_fields.find(name);
  return v ? v->strings() : std::vector<std::string>{};
}

void Record::set(std::string_view name, Value value)
{
  if (value.empty()) {
    m_fields.erase(name);
    return;
  }
  if (Value* existing = m_fields.find(name)) {
    *existing = std::move(value);
    return;
  }
  const auto& fields = m_schema->fields;
  const std::size_t rank = field_rank(fields, name);
  auto& entries = m_fields.entries;
  auto pos = entries.end();
  if (rank < fields.size()) {
    pos = std::find_if(entries.begin(), entries.end(),
                       [&](const auto& kv) { return field_rank(fields, kv.first) > rank; });
  }
  entries.emplace(pos, std::string(name), std::move(value));
}

void Record::set(std::string_view name, const std::string& text)
{
  const FieldSpec* spec = find_spec(m_schema->fields, name);
  if (spec && spec->kind == FieldKind::number && !text.empty()) {
    Value v = Value::text(text);
    v.plain = true;
    set(name, std::move(v));
    return;
  }
  set(name, Value::text(text));
}

void Record::apply(Event event)
{
  for (const auto& [key, value] : event.set.entries) {
    set(key, value);
  }
  m_events.push_back(std::move(event));
}

Value Record::to_value() const
{
  Value doc = m_fields;
  Value events;
  events.kind = Value::Kind::sequence;
  for (const auto& e : m_events) {
    events.items.push_back(event_to_value(e));
  }
  doc.entries.emplace_back("events", std::move(events));
  return doc;
}

template <class Doc>
void Record::read(Doc& doc, const std::string& path, std::span<const std::string_view> required,
                  const std::function<void(const Value&)>& check)
{
  const RecordSchema& schema = *m_schema;
  if (doc.is_null()) {
    throw ParseError(path, 0, 0, "the file is empty", "restore it from git (git checkout -- FILE)");
  }
  if (!doc.is_mapping()) {
    fail_at(path, doc, fmt::format("{} file must be a mapping of fields (key: value)", schema.a_noun));
  }
  Doc* events = nullptr;
  for (auto& [key, value] : doc.entries) {
    if (key == "events") {
      events = &value;
      continue;
    }
    const FieldSpec* spec = find_spec(schema.fields, key);
    if (spec) {
      const bool list = spec->kind == FieldKind::list;
      if (list && !(value.is_sequence() || value.is_null())) {
        fail_at(path, value, fmt::format("'{}' must be a list (one '- item' per line)", key));
      }
      if (list) {
        for (const auto& item : value.items) {
          if (!item.is_scalar()) {
            fail_at(path, item, fmt::format("'{}' items must be single values", key));
          }
        }
      }
      if (!list && !(value.is_scalar() || value.is_null())) {
        fail_at(path, value, fmt::format("'{}' must be a single value", key));
      }
    }
  }
  const std::string what = fmt::format("the {}", schema.noun);
  for (const std::string_view key : required) {
    required_scalar(doc, key, path, what);
  }
  if (check) {
    check(doc);
  }
  if (!events || events->is_null()) {
    fail_at(path, doc, fmt::format("the {} has no 'events'", schema.noun),
            fmt::format("every {} keeps its history under 'events:'", schema.noun));
  }
  if (!events->is_sequence()) {
    fail_at(path, *events, "'events' must be a list of events");
  }
  // Every event checked before any is taken, so that a document given up is left whole
  // when it is not a good record.
  std::set<std::string> ids;
  for (auto& item : events->items) {
    if (!item.is_mapping()) {
      fail_at(path, item, "an event must be a mapping (id, at, by, action, ...)");
    }
    const std::string id = required_scalar(item, "id", path, "an event");
    required_scalar(item, "at", path, "an event");
    required_scalar(item, "by", path, "an event");
    required_scalar(item, "action", path, "an event");
    if (!ids.insert(id).second) {
      fail_at(path, item, fmt::format("duplicate event id '{}'", id));
    }
    const Value* set = item.find("set");
    if (set && !set->is_null() && !set->is_mapping()) {
      fail_at(path, *set, "an event's 'set' must be a mapping of fields");
    }
    const Value* note = item.find("note");
    if (note && !note->is_null() && !note->is_scalar()) {
      fail_at(path, *note, "an event's 'note' must be text");
    }
  }
  m_events.reserve(events->items.size());
  for (auto& item : events->items) {
    Event e;
    e.id = take_value(item.find("id")->scalar);
    e.at = take_value(item.find("at")->scalar);
    e.by = take_value(item.find("by")->scalar);
    e.action = take_value(item.find("action")->scalar);
    if (Doc* set = item.find("set"); set && !set->is_null()) {
      e.set = take_value(*set);
    }
    if (Doc* note = item.find("note"); note && !note->is_null()) {
      e.note = take_value(note->scalar);
    }
    e.extra = Value::map();
    for (auto& [k, x] : item.entries) {
      if (!event_keys().contains(k)) {
        e.extra.entries.emplace_back(k, take_value(x));
      }
    }
    m_events.push_back(std::move(e));
  }
  // The fields, each kept as read, in canonical order; unknown keys even when empty.
  for (auto& [key, value] : doc.entries) {
    if (&value == events) {
      continue;
    }
    if (!find_spec(schema.fields, key)) {
      m_fields.entries.emplace_back(key, take_value(value));
    } else if (!value.is_null()) {
      set(key, take_value(value));
    }
  }
}

template void Record::read<Value>(Value&, const std::string&, std::span<const std::string_view>,
                                  const std::function<void(const Value&)>&);
template void Record::read<const Value>(const Value&, const std::string&, std::span<const std::string_view>,
                                        const std::function<void(const Value&)>&);

void Record::require_named(std::string_view name, const std::string& path, const std::string& hint) const
{
  const std::string& id = get("id");
  if (id == name) {
    return;
  }
  const Value* where = find("id");
  throw ParseError(path, where ? where->line : 0, where ? where->column : 0,
                   fmt::format("the file is named {} but holds {} '{}'", name, m_schema->noun, id), hint);
}

} // namespace desk
